using System.Collections.Generic;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Archive;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Linux;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge load`: an image archive (OCI layout or docker save) into the store.</summary>
internal static class LoadCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "load",
        Summary = "load an image archive (OCI layout or docker save; directory, tar or tar.gz) into the store",
        Usage = "FILE|DIR",
        MinArgs = 0,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("input", "FILE", "read from FILE instead of the argument", "i"),
            OptionSpec.Value("name", "REPOSITORY[:TAG]", "name for images the archive leaves unnamed or names with a tag only"),
            OptionSpec.Value("platform", "OS/ARCH[/VARIANT]", "platform to check a multi-platform image for (default: this machine's)"),
            OptionSpec.Flag("quiet", "print nothing", "q"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string source = context.Options.Get("input") ?? (context.Args.Count > 0 ? context.Args[0] : throw new UsageException("load: give an archive: edge load FILE|DIR"));
        var loader = new ArchiveLoader(context.ImageStore)
        {
            Platform = context.Options.Get("platform") is string p ? PlatformSpec.Parse(p) : PlatformSpec.Host(),
        };
        List<ImageRecord> records = loader.Load(source, context.Options.Get("name"));
        if (!context.Options.Flag("quiet"))
            foreach (ImageRecord r in records) context.Output.WriteLine($"Loaded image: {r.Name}");
        return 0;
    }
}
