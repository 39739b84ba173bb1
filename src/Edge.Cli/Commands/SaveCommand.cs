using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image.Archive;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge save IMAGE [FILE]`: an image as an OCI archive.</summary>
internal static class SaveCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "save",
        Summary = "write an image to an OCI archive (a tar of an OCI image layout)",
        Usage = "IMAGE [FILE]",
        MinArgs = 1,
        MaxArgs = 2,
        Options = new[] { OptionSpec.Value("output", "FILE", "write to FILE", "o") },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string? file = context.Options.Get("output") ?? (context.Args.Count > 1 ? context.Args[1] : null);
        if (file is null) throw new UsageException("save: give an output file: edge save IMAGE FILE");
        ContentStore store = context.ImageStore;
        ArchiveSaver.Save(store, ImageNames.FindOne(store, context.Args[0]), file);
        return 0;
    }
}
