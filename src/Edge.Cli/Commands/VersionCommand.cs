using Edge.Cli.CommandLine;
using Edge.Oci.RuntimeSpec;

namespace Edge.Cli.Commands;

/// <summary>`edge --version`, in runc's layout so that tools that scrape it keep working.</summary>
internal static class VersionCommand
{
    public static string Text() =>
        $"edge version {BuildInfo.Version}\ncommit: {BuildInfo.Commit}\nspec: {Spec.CurrentVersion}\n" +
        $"dotnet: {BuildInfo.Runtime} (native aot)\n";

    public static int Run(Output output)
    {
        output.Write(Text());
        return 0;
    }
}
