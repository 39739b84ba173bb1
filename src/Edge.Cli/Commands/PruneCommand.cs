using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image.Archive;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge prune`: blobs, partial downloads and snapshots no image or container uses.</summary>
internal static class PruneCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "prune",
        Summary = "remove blobs and partial downloads no image refers to",
        MaxArgs = 0,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ContentStore store = context.ImageStore;
        int snapshots = SnapshotPruner.Prune(store);
        GarbageCollector.Result result = GarbageCollector.Prune(store);
        context.Output.WriteLine($"Deleted {result.Blobs} blobs, {result.Partials} partial downloads and {snapshots} snapshots; reclaimed {Sizes.Human(result.Bytes)}");
        return 0;
    }
}
