using System;
using System.IO;
using Edge.Image;
using Edge.Image.Store;

namespace Edge.Layers;

/// <summary>
/// Applies an image's layers, bottom to top, into one directory (whiteouts deleting), checking each layer's
/// DiffID against the config: `edge unpack`, and the rootfs where overlayfs is not available.
/// </summary>
public static class Unpacker
{
    public static void Flatten(ContentStore store, ImageLayers image, string rootfs, Action<string>? warn)
    {
        for (int i = 0; i < image.Manifest.Layers.Count; i++) ApplyLayer(store, image, i, rootfs, WhiteoutMode.Delete, warn);
    }

    /// <summary>
    /// Layer <paramref name="index"/> of the image from its blob into <paramref name="root"/>, refused when its
    /// uncompressed content is not the config's diff_ids[index].
    /// </summary>
    public static LayerStatistics ApplyLayer(ContentStore store, ImageLayers image, int index, string root, WhiteoutMode mode, Action<string>? warn)
    {
        var layer = image.Manifest.Layers[index];
        string display = $"{image.Record.Name}: layer {layer.Digest}";
        using FileStream blob = store.OpenRead(image.LayerDigests[index]);
        using Stream tar = LayerStreams.Open(blob, layer.MediaType, display, blob.Length);
        LayerStatistics stats = Apply(tar, root, mode, display, warn);
        if (stats.DiffId != image.DiffIds[index].ToString())
            throw new DigestMismatchException($"{display}: uncompressed content has digest {stats.DiffId}, the config's diff_ids[{index}] says {image.DiffIds[index]}");
        return stats;
    }

    /// <summary>One layer, with its errors named after it.</summary>
    public static LayerStatistics Apply(Stream tar, string root, WhiteoutMode mode, string display, Action<string>? warn)
    {
        try
        {
            return LayerApplier.Apply(tar, root, mode, message => warn?.Invoke($"{display}: {message}"));
        }
        catch (Exception ex) when (ex is Tar.TarFormatException or LayerApplyException or InvalidDataException)
        {
            throw new ImageException($"{display}: {Edge.Linux.ErrorText.Describe(ex)}", ex);
        }
    }
}
