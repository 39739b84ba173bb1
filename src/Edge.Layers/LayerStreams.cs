using System.IO;
using System.IO.Compression;
using Edge.Image;
using Edge.Oci.Image;

namespace Edge.Layers;

/// <summary>
/// The uncompressed tar stream of a layer blob, by media type (and by magic bytes when the type says tar),
/// bounded: a layer that expands past <see cref="DecompressionLimit"/> is refused as it is read.
/// </summary>
public static class LayerStreams
{
    public static Stream Open(Stream blob, string mediaType, string display, long compressedSize)
    {
        Stream tar = mediaType switch
        {
            MediaTypes.OciLayerGzip or MediaTypes.DockerLayerGzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen: false),
            MediaTypes.OciLayerZstd => new ZstdStream(blob),
            MediaTypes.OciLayer or ImageContent.DockerLayerTar => ByMagic(blob),
            _ => throw new ImageException($"{display}: unsupported layer media type \"{Edge.Linux.Printable.Short(mediaType)}\""),
        };
        return DecompressionLimit.Bound(tar, compressedSize, display);
    }

    /// <summary>Loaded archives sometimes call a compressed layer "tar": the first bytes decide.</summary>
    private static Stream ByMagic(Stream blob)
    {
        if (!blob.CanSeek) return blob;
        int a = blob.ReadByte(), b = blob.ReadByte();
        int c = blob.ReadByte(), d = blob.ReadByte();
        blob.Position = 0;
        if (a == 0x1f && b == 0x8b) return new GZipStream(blob, CompressionMode.Decompress, leaveOpen: false);
        if (a == 0x28 && b == 0xb5 && c == 0x2f && d == 0xfd) return new ZstdStream(blob);
        return blob;
    }
}
