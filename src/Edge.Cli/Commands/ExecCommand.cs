using System.Globalization;
using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`exec [options] ID [ARGS...]`, with runc's flags.</summary>
internal static class ExecCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "exec",
        Summary = "execute new process inside the container",
        Usage = "<container-id> <command> [command options]  ||  -p process.json <container-id>",
        Description = """
   Runs a new process in the container's namespaces and cgroup. Without --process, the process is the
   container's (env, cwd, user, capabilities, rlimits) with ARGS and the flags below applied.
""",
        MinArgs = 1,
        RawArgsAfter = 1,
        Options = new[]
        {
            OptionSpec.Value("console-socket", "PATH", "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal"),
            OptionSpec.Value("cwd", "DIR", "current working directory in the container"),
            OptionSpec.List("env", "KEY=VALUE", "set environment variables", "e"),
            OptionSpec.Flag("tty", "allocate a pseudo-TTY", "t"),
            OptionSpec.Value("user", "UID[:GID]", "UID (format: <uid>[:<gid>])", "u"),
            OptionSpec.List("additional-gids", "GID", "additional gids", "g"),
            OptionSpec.Value("process", "FILE", "path to the process.json", "p"),
            OptionSpec.Flag("detach", "detach from the container's process", "d"),
            OptionSpec.Value("pid-file", "FILE", "specify the file to write the process id to"),
            OptionSpec.Value("process-label", "LABEL", "set the asm process label for the process commonly used with selinux"),
            OptionSpec.Value("apparmor", "PROFILE", "set the apparmor profile for the process"),
            OptionSpec.Flag("no-new-privs", "set the no new privileges value for the process"),
            OptionSpec.List("cap", "CAP", "add a capability to the bounding set for the process", "c"),
            OptionSpec.Value("preserve-fds", "N", "pass N additional file descriptors to the container"),
            OptionSpec.List("cgroup", "[CONTROLLER[,CONTROLLER...]:]PATH", "run the process in an (existing) sub-cgroup of the container's cgroup (for the given v1 controllers, or all)"),
            OptionSpec.Flag("ignore-paused", "allow exec in a paused container"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        int preserve = 0;
        if (context.Options.Get("preserve-fds") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out preserve) || preserve < 0))
            throw new UsageException($"invalid value \"{text}\" for --preserve-fds");
        var args = new System.Collections.Generic.List<string>();
        for (int i = 1; i < context.Args.Count; i++) args.Add(context.Args[i]);
        return ContainerExecutor.Exec(new ExecRequest
        {
            Root = context.Global.Root,
            Id = context.Args[0],
            ProcessFile = context.Options.Get("process"),
            Args = args,
            Env = context.Options.GetAll("env"),
            Cwd = context.Options.Get("cwd"),
            User = context.Options.Get("user"),
            AdditionalGids = context.Options.GetAll("additional-gids"),
            Caps = context.Options.GetAll("cap"),
            Tty = context.Options.Flag("tty"),
            NoNewPrivs = context.Options.Flag("no-new-privs"),
            Detach = context.Options.Flag("detach"),
            PidFile = context.Options.Get("pid-file"),
            ConsoleSocket = context.Options.Get("console-socket"),
            PreserveFds = preserve,
            IgnorePaused = context.Options.Flag("ignore-paused"),
            SubCgroups = context.Options.GetAll("cgroup"),
        }, context.Log.Warn);
    }
}
