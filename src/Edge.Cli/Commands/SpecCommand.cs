using System.IO;
using Edge.Cli.CommandLine;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;

namespace Edge.Cli.Commands;

/// <summary>`edge spec [--bundle DIR] [--rootless]`: writes a starter config.json, never over an existing one.</summary>
internal static class SpecCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "spec",
        Summary = "create a new specification file",
        Usage = "",
        MaxArgs = 0,
        Description = """
   Writes a starter config.json for the bundle: sh as the process on a terminal, a read-only
   rootfs in "rootfs", and the mounts, namespaces and masked paths that runc spec writes, so the
   bundle runs the same under edge, runc and crun. Edit "process.args" for your program.

   With --rootless the spec maps the calling user to root in a new user namespace.
""",
        Options = new[]
        {
            OptionSpec.Value("bundle", "DIR", "path to the root of the bundle directory", "b"),
            OptionSpec.Flag("rootless", "generate a configuration for a rootless container"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string bundle = context.Options.Get("bundle") is { Length: > 0 } b ? b : ".";
        if (!Directory.Exists(bundle)) throw new RuntimeException($"spec: bundle `{bundle}`: no such directory");

        string path = Path.Combine(bundle, "config.json");
        if (File.Exists(path)) throw new RuntimeException($"spec: `{path}` already exists; remove it first");

        Spec spec = context.Options.Flag("rootless")
            ? DefaultSpec.CreateRootless(Libc.GetEffectiveUid(), Libc.GetEffectiveGid())
            : DefaultSpec.Create();
        AtomicFile.Write(path, OciJson.SpecToIndentedUtf8(spec), createOnly: true);
        return 0;
    }
}
