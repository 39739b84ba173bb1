using System.IO;
using System.IO.Compression;
using Edge.Image;
using Edge.Oci.Image;

namespace Edge.Layers;

/// <summary>The uncompressed tar stream of a layer blob, by media type (and by magic bytes when the type says tar).</summary>
public static class LayerStreams
{
    public static Stream Open(Stream blob, string mediaType, string display)
    {
        switch (mediaType)
        {
            case MediaTypes.OciLayerGzip or MediaTypes.DockerLayerGzip:
                return new GZipStream(blob, CompressionMode.Decompress, leaveOpen: false);
            case MediaTypes.OciLayerZstd:
                return new ZstdStream(blob);
            case MediaTypes.OciLayer or ImageContent.DockerLayerTar:
                return ByMagic(blob);
            default:
                throw new ImageException($"{display}: unsupported layer media type \"{mediaType}\"");
        }
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
