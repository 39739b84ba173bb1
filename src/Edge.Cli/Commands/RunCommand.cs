using Edge.Cli.Cli;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge run ID` with a bundle: create + start (+ wait, in the foreground), as runc run.</summary>
internal static class RunCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "run",
        Summary = "create and run a container",
        Usage = "<container-id>",
        Description = """
   Creates and starts the container from the bundle. In the foreground edge forwards signals to the
   container's init, waits for it, removes the container and exits with its status (128+N when it was
   killed by signal N). With --detach it returns once the process has started.
""",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("bundle", "DIR", "path to the root of the bundle directory, defaults to the current directory", "b"),
            OptionSpec.Value("console-socket", "PATH", "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal"),
            OptionSpec.Flag("detach", "detach from the container's process", "d"),
            OptionSpec.Flag("keep", "do not delete the container after it exits"),
            OptionSpec.Value("pid-file", "FILE", "specify the file to write the process id to"),
            OptionSpec.Flag("no-subreaper", "disable the use of the subreaper used to reap reparented processes"),
            OptionSpec.Flag("no-pivot", "do not use pivot root to jail process inside rootfs"),
            OptionSpec.Flag("no-new-keyring", "do not create a new session keyring for the container"),
            OptionSpec.Value("preserve-fds", "N", "pass N additional file descriptors to the container"),
        },
        Run = context => ContainerRunner.Run(LifecycleCommands.Request(context), context.Options.Flag("detach"),
            context.Options.Flag("keep"), context.Log.Warn),
    };
}
