using System.Globalization;
using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>create, start, kill, delete, pause, resume: thin wrappers over Edge.Runtime.Lifecycle.</summary>
internal static class LifecycleCommands
{
    private static readonly OptionSpec[] CreateOptions =
    {
        OptionSpec.Value("bundle", "DIR", "path to the root of the bundle directory, defaults to the current directory", "b"),
        OptionSpec.Value("console-socket", "PATH", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"),
        OptionSpec.Value("pid-file", "FILE", "specify the file to write the process id to"),
        OptionSpec.Flag("no-pivot", "do not use pivot root to jail process inside rootfs"),
        OptionSpec.Flag("no-new-keyring", "do not create a new session keyring for the container"),
        OptionSpec.Value("preserve-fds", "N", "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"),
    };

    public static readonly CommandSpec Create = new()
    {
        Name = "create",
        Summary = "create a container",
        Usage = "<container-id>",
        Description = """
   Creates the container from the bundle (config.json and its rootfs) and leaves its process set up but
   not started: it waits until `edge start`. The init process stays alive after this command returns;
   a supervisor that wants to reap it sets itself as child subreaper first (containerd's shim does).
""",
        MinArgs = 1,
        MaxArgs = 1,
        Options = CreateOptions,
        Run = context =>
        {
            using ContainerCreator.Created created = ContainerCreator.Create(Request(context));
            return 0;
        },
    };

    public static readonly CommandSpec Start = new()
    {
        Name = "start",
        Summary = "executes the user defined process in a created container",
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Run = context =>
        {
            ContainerStarter.Start(context.Store, context.Args[0], context.Log.Warn);
            return 0;
        },
    };

    public static readonly CommandSpec Kill = new()
    {
        Name = "kill",
        Summary = "kill sends the specified signal (default: SIGTERM) to the container's init process",
        Usage = "<container-id> [signal]",
        Description = "   SIGNAL is a name with or without SIG (KILL, SIGKILL) or a number (9).\n",
        MinArgs = 1,
        MaxArgs = 2,
        Options = new[] { OptionSpec.Flag("all", "send the specified signal to all processes inside the container", "a") },
        Run = context =>
        {
            string signal = context.Args.Count > 1 ? context.Args[1] : "SIGTERM";
            ContainerKiller.Kill(context.Store, context.Args[0], signal, context.Options.Flag("all"));
            return 0;
        },
    };

    public static readonly CommandSpec Delete = new()
    {
        Name = "delete",
        Summary = "delete any resources held by the container often used with detached container",
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[] { OptionSpec.Flag("force", "forcibly deletes the container if it is still running (uses SIGKILL)", "f") },
        Run = context =>
        {
            ContainerDeleter.Delete(context.Store, context.Args[0], context.Options.Flag("force"), context.Log.Warn);
            return 0;
        },
    };

    public static readonly CommandSpec Pause = Freezer("pause", "pause suspends all processes inside the container", paused: true);

    public static readonly CommandSpec Resume = Freezer("resume", "resumes all processes that have been previously paused", paused: false);

    private static CommandSpec Freezer(string name, string summary, bool paused) => new()
    {
        Name = name,
        Summary = summary,
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Run = context =>
        {
            ContainerPauser.SetPaused(context.Store, context.Args[0], paused);
            return 0;
        },
    };

    internal static CreateRequest Request(CommandContext context)
    {
        int preserve = 0;
        if (context.Options.Get("preserve-fds") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out preserve) || preserve < 0))
            throw new UsageException($"invalid value \"{text}\" for --preserve-fds");
        return new CreateRequest
        {
            Root = context.Global.Root,
            Id = context.Args[0],
            Bundle = context.Options.Get("bundle") is { Length: > 0 } b ? b : ".",
            PidFile = context.Options.Get("pid-file"),
            ConsoleSocket = context.Options.Get("console-socket"),
            NoPivot = context.Options.Flag("no-pivot"),
            NoNewKeyring = context.Options.Flag("no-new-keyring"),
            PreserveFds = preserve,
            SystemdCgroup = context.Global.SystemdCgroup,
        };
    }
}
