using Edge.Cli.CommandLine;

namespace Edge.Cli.Commands;

/// <summary>
/// `restore`: not implemented (edge has no CRIU support), but its command line parses as runc's does,
/// including the one-dash `-no-subreaper` containerd passes, so the error names the missing feature.
/// </summary>
internal static class RestoreCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "restore",
        Summary = "restore a container from a previous checkpoint (not implemented yet)",
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("image-path", "DIR", "path to criu image files for restoring"),
            OptionSpec.Value("work-path", "DIR", "path for saving work files and logs"),
            OptionSpec.Flag("tcp-established", "allow open tcp connections"),
            OptionSpec.Flag("ext-unix-sk", "allow external unix sockets"),
            OptionSpec.Flag("shell-job", "allow shell jobs"),
            OptionSpec.Flag("file-locks", "handle file locks, for safety"),
            OptionSpec.Value("manage-cgroups-mode", "MODE", "cgroups mode: soft, full, strict, ignore"),
            OptionSpec.Value("bundle", "DIR", "path to the root of the bundle directory", "b"),
            OptionSpec.Flag("detach", "detach from the container's process", "d"),
            OptionSpec.Value("pid-file", "FILE", "specify the file to write the process id to"),
            OptionSpec.Flag("no-subreaper", "disable the use of the subreaper used to reap reparented processes"),
            OptionSpec.Flag("no-pivot", "do not use pivot root to jail process inside rootfs"),
            OptionSpec.List("empty-ns", "NS", "create a namespace, but don't restore its properties"),
            OptionSpec.Flag("auto-dedup", "enable auto deduplication of memory images"),
            OptionSpec.Flag("lazy-pages", "use userfaultfd to lazily restore memory pages"),
            OptionSpec.Value("lsm-profile", "TYPE:LABEL", "specify an LSM profile to be used during restore"),
            OptionSpec.Value("console-socket", "PATH", "path to an AF_UNIX socket which will receive the console's master"),
        },
        Run = context => context.Fail("restore: checkpoint/restore (CRIU) is not implemented yet in edge " + BuildInfo.Version),
    };
}
