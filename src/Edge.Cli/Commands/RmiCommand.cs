using System.Collections.Generic;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge rmi IMAGE...`: untag images, then remove the blobs and snapshots nothing uses any more.</summary>
internal static class RmiCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "rmi",
        Summary = "remove images from the content store (and blobs no other image uses)",
        Usage = "IMAGE [IMAGE...]",
        MinArgs = 1,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ContentStore store = context.ImageStore;
        int status = 0;
        foreach (string text in context.Args)
        {
            List<ImageRecord> removed = store.UpdateImages(list =>
            {
                List<ImageRecord> found = ImageNames.Find(list, text);
                foreach (ImageRecord r in found) list.Remove(r);
                return (found.Count > 0, found);
            });
            if (removed.Count == 0)
            {
                context.Log.Error($"image \"{text}\" not found");
                context.Output.Error($"edge: image \"{text}\" not found");
                status = 1;
                continue;
            }
            foreach (ImageRecord r in removed) context.Output.WriteLine("Untagged: " + r.Name);
        }
        SnapshotPruner.Prune(store);
        GarbageCollector.Result result = GarbageCollector.Prune(store);
        if (result.Blobs > 0) context.Output.WriteLine($"Deleted: {result.Blobs} blobs, {Sizes.Human(result.Bytes)}");
        return status;
    }
}
