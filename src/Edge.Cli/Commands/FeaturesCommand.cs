using Edge.Cli.CommandLine;
using Edge.Oci.Json;
using Edge.Runtime;

namespace Edge.Cli.Commands;

/// <summary>`edge features`: the runtime-spec features document. Works with no global options (containerd calls it so).</summary>
internal static class FeaturesCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "features",
        Summary = "show the enabled features",
        Description = "   Prints the runtime-spec features document (JSON) describing what this build implements.\n",
        MaxArgs = 0,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        FeatureSet.Version = BuildInfo.Version;
        context.Output.Write(OciJson.ToIndentedUtf8(FeatureSet.Describe(), SpecWriter.Features, ' ', 4));
        context.Output.Write("\n");
        return 0;
    }
}
