using System.Collections.Generic;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Linux;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge images`: the content store's images, as a table or JSON.</summary>
internal static class ImagesCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "images",
        Summary = "list images in the content store",
        MaxArgs = 0,
        Options = new[]
        {
            OptionSpec.Value("format", "FORMAT", "select one of: table or json (default: \"table\")", "f"),
            OptionSpec.Flag("quiet", "display only image names", "q"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string format = context.Options.Get("format") ?? "table";
        if (format is not ("table" or "json")) throw new UsageException($"invalid format option \"{format}\"");
        List<ImageRecord> images = context.ImageStore.Images();
        if (context.Options.Flag("quiet"))
        {
            foreach (ImageRecord r in images) context.Output.WriteLine(r.Name);
            return 0;
        }
        if (format == "json")
        {
            context.Output.Write(Edge.Oci.Json.OciJson.ToIndentedUtf8(images, ImageListWriter.Records, ' ', 2));
            context.Output.Write("\n");
            return 0;
        }
        var table = new List<string[]> { new[] { "REPOSITORY", "TAG", "DIGEST", "PLATFORM", "SIZE" } };
        foreach (ImageRecord r in images)
        {
            var reference = ImageReference.Parse(r.Name);
            string digest = Digest.TryParse(r.Digest, out Digest d, out _) ? d.Short : r.Digest;
            table.Add(new[] { reference.Name, reference.Tag ?? "<none>", digest, r.Platform ?? "", Sizes.Human(r.ContentSize) });
        }
        context.Output.Write(Table.Format(table));
        return 0;
    }
}
