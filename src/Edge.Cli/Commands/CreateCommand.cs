using System.Globalization;
using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge create ID`: the container set up and waiting for start (runc's create).</summary>
internal static class CreateCommand
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

    public static readonly CommandSpec Definition = new()
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

    /// <summary>The request runc's create flags describe; `run` of a bundle reads its flags the same way.</summary>
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
