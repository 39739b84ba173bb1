using System.Collections.Generic;
using System.IO;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Containers;
using Edge.Oci.Json;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`edge unpack IMAGE BUNDLE`: a runc bundle from an image (flattened rootfs and a generated config.json).</summary>
internal static class UnpackCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "unpack",
        Summary = "unpack an image into an OCI bundle (BUNDLE/rootfs and BUNDLE/config.json), as umoci unpack",
        Usage = "IMAGE BUNDLE",
        MinArgs = 2,
        MaxArgs = 2,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ContentStore store = context.ImageStore;
        List<ImageRecord> found = ImageNames.Find(store.Images(), context.Args[0]);
        if (found.Count == 0) throw new ImageException($"image \"{context.Args[0]}\" not found in the store {store.Root}");
        ImageLayers image = ImageLayers.Load(store, found[0]);
        string bundle = Path.GetFullPath(context.Args[1]);
        string rootfs = Path.Combine(bundle, "rootfs");
        if (Directory.Exists(rootfs) && Directory.GetFileSystemEntries(rootfs).Length > 0)
            throw new ImageException($"{rootfs} already exists and is not empty");
        // A bundle edge makes is its owner's only: the rootfs holds what the image brings (setuid binaries,
        // device nodes), and its own mode is the image's "/" (docs/security.md).
        bool made = !Directory.Exists(bundle);
        Edge.Linux.PrivateDirectory.Create(bundle);
        Directory.CreateDirectory(rootfs);
        try
        {
            Unpacker.Flatten(store, image, rootfs, context.Log.Warn);
            var spec = SpecGenerator.Generate(image.Config, rootfs, "edge", new RunOptions());
            Edge.Linux.AtomicFile.Write(Path.Combine(bundle, "config.json"), OciJson.SpecToIndentedUtf8(spec), durable: false);
        }
        catch
        {
            Directory.Delete(made ? bundle : rootfs, true); // nothing half-written stays
            throw;
        }
        return 0;
    }
}
