using System.Collections.Generic;
using System.IO;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Layers.Bundle;
using Edge.Oci.Json;
using Edge.Runtime.Lifecycle;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`edge unpack IMAGE BUNDLE` and `edge rm NAME`: bundles from images, and their removal.</summary>
internal static class ImageContainerCommands
{
    public static readonly CommandSpec Unpack = new()
    {
        Name = "unpack",
        Summary = "unpack an image into an OCI bundle (BUNDLE/rootfs and BUNDLE/config.json), as umoci unpack",
        Usage = "IMAGE BUNDLE",
        MinArgs = 2,
        MaxArgs = 2,
        Run = RunUnpack,
    };

    public static readonly CommandSpec Rm = new()
    {
        Name = "rm",
        Summary = "remove containers started with edge run IMAGE (their writable layer and bundle)",
        Usage = "NAME [NAME...]",
        MinArgs = 1,
        Options = new[] { OptionSpec.Flag("force", "kill and remove a running container", "f") },
        Run = RunRm,
    };

    private static int RunUnpack(CommandContext context)
    {
        var store = new ContentStore(context.Global.Store);
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

    private static int RunRm(CommandContext context)
    {
        var store = new ContentStore(context.Global.Store);
        var containers = new ContainerStore(context.Global.Root);
        int status = 0;
        foreach (string name in context.Args)
        {
            if (containers.Exists(name))
                ContainerDeleter.Delete(containers, name, force: context.Options.Flag("force"), context.Log.Warn);
            if (!ImageContainer.Remove(store, name) && !containers.Exists(name))
            {
                context.Log.Error($"container \"{name}\" does not exist");
                context.Output.Error($"edge: container \"{name}\" does not exist");
                status = 1;
                continue;
            }
            context.Output.WriteLine(name);
        }
        return status;
    }
}
