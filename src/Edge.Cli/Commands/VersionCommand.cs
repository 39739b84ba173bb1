using Edge.Cli.CommandLine;
using Edge.Oci.RuntimeSpec;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge --version`, in runc's layout so that tools that scrape it keep working; like runc's libseccomp
/// line, the C libraries linked into the static binary follow, each with its Debian package version.
/// </summary>
internal static class VersionCommand
{
    public static string Text() =>
        $"edge version {BuildInfo.Version}\ncommit: {BuildInfo.Commit}\nspec: {Spec.CurrentVersion}\n" +
        $"dotnet: {BuildInfo.Runtime} (native aot)\n" + Lines(BuildInfo.Libraries);

    // toolchain/linked-versions.sh joins its lines with '|' ("openssl: ...|libseccomp: ...").
    private static string Lines(string joined) => joined.Length == 0 ? "" : joined.Replace('|', '\n') + "\n";

    public static int Run(Output output)
    {
        output.Write(Text());
        return 0;
    }
}
