using System.IO;
using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge run`: runc's `run ID` with a bundle, or `run IMAGE [CMD...]` with an image. The rule (also in
/// the help text): an invocation runc would accept keeps runc's meaning; one runc would reject because the
/// bundle has no config.json, or one with an image-only flag, runs an image.
/// </summary>
internal static class RunCommand
{
    /// <summary>An image run's own flags (the container's are <see cref="ContainerOptions"/>).</summary>
    private static readonly OptionSpec[] ImageRunOptions =
    {
        OptionSpec.Flag("rm", "image: remove the container (its writable layer) when it exits"),
        OptionSpec.Flag("replace", "image: remove a container of the same --name first (killing it if it runs), as podman run --replace"),
        OptionSpec.Value("name", "NAME", "image: the container's name (default: edge-<random>)"),
        OptionSpec.Flag("tty", "image: allocate a terminal", "t"),
        OptionSpec.Value("stop-timeout", "SECONDS", "image: after that SIGTERM, SIGKILL the container this much later (default 10)"),
    };

    /// <summary>What an image's container gets: `run IMAGE` takes them, and `generate systemd` passes them on to it.</summary>
    public static readonly OptionSpec[] ContainerOptions =
    {
        OptionSpec.List("env", "KEY=VALUE", "image: set an environment variable (KEY alone: take it from edge's environment)", "e"),
        OptionSpec.List("volume", "HOST:CONTAINER[:ro]", "image: bind mount a host path", "v"),
        OptionSpec.Value("net", "host|none", "image: host network, or a private one with only loopback (default)"),
        OptionSpec.Flag("read-only", "image: mount the root file system read-only"),
        OptionSpec.Value("user", "USER[:GROUP]", "image: user (name or uid) and group, resolved in the image", "u"),
        OptionSpec.Value("workdir", "DIR", "image: working directory", "w"),
        OptionSpec.Value("entrypoint", "PROGRAM", "image: replace the image's Entrypoint (\"\" to clear it)"),
        OptionSpec.Value("hostname", "NAME", "image: the container's hostname (default: its name)"),
        OptionSpec.Value("platform", "OS/ARCH[/VARIANT]", "image: platform to pull if the image is missing"),
        OptionSpec.Value("sd-notify", "ready|container|ignore", "image: with $NOTIFY_SOCKET (a systemd Type=notify unit), send READY=1 once the process started (ready, the default), or pass the socket into the container at /run/notify/notify.sock (container)"),
        OptionSpec.Value("stop-signal", "SIGNAL", "image: what a SIGTERM to edge sends the container (default: the image's StopSignal, else SIGTERM)"),
    };

    /// <summary>Every image flag, defined once above. Any of them makes the invocation an image run.</summary>
    public static readonly OptionSpec[] ImageOptions = [.. ImageRunOptions, .. ContainerOptions];

    public static readonly CommandSpec Definition = new()
    {
        Name = "run",
        Summary = "create and run a container (from a bundle as runc does, or from an image)",
        Usage = "<container-id> | [image options] IMAGE [COMMAND [ARG...]]",
        Description = """
   With a bundle (runc's form): creates and starts the container from the bundle (--bundle, or the
   current directory). In the foreground edge forwards signals to the container's init, waits for it,
   removes the container and exits with its status (128+N when it was killed by signal N). With --detach
   it returns once the process has started.

   With an image: pulls IMAGE if the store lacks it, unpacks its layers once (overlay snapshots), creates
   a bundle under STORE/containers/NAME and runs it the same way; COMMAND replaces the image's Cmd.

   Which one: an invocation runc would accept (exactly one argument, and config.json in the bundle
   directory) is a bundle run. One that runc would reject because there is no config.json there, or one
   that uses an image option, is an image run. The image options:
   --rm, --replace, --name, -t, --stop-timeout, -e, -v, --net, --read-only, -u, -w, --entrypoint,
   --hostname, --platform, --sd-notify, --stop-signal.

   As a systemd service (Type=notify): edge sends READY=1 on $NOTIFY_SOCKET once the container's process
   has started; SIGTERM (systemctl stop) sends the image's StopSignal and, --stop-timeout later, SIGKILL;
   edge exits with the container's status (128+N for signal N). A container of the same name that an
   earlier `edge run --rm` left behind (edge was killed, its process is gone) is removed before the next
   start; --replace removes any container of that name. `edge generate systemd` prints such a unit.
""",
        MinArgs = 1,
        RawArgsAfter = 1,
        Options =
        [
            OptionSpec.Value("bundle", "DIR", "path to the root of the bundle directory, defaults to the current directory", "b"),
            OptionSpec.Value("console-socket", "PATH", "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal"),
            OptionSpec.Flag("detach", "detach from the container's process", "d"),
            OptionSpec.Flag("keep", "do not delete the container after it exits"),
            OptionSpec.Value("pid-file", "FILE", "specify the file to write the process id to"),
            OptionSpec.Flag("no-subreaper", "disable the use of the subreaper used to reap reparented processes"),
            OptionSpec.Flag("no-pivot", "do not use pivot root to jail process inside rootfs"),
            OptionSpec.Flag("no-new-keyring", "do not create a new session keyring for the container"),
            OptionSpec.Value("preserve-fds", "N", "pass N additional file descriptors to the container"),
            .. ImageOptions,
        ],
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        if (IsBundleRun(context))
            return ContainerRunner.Run(CreateCommand.Request(context), context.Options.Flag("detach"), context.Options.Flag("keep"), context.Log.Warn);
        return RunImage.Run(context);
    }

    public static bool IsBundleRun(CommandContext context)
    {
        foreach (OptionSpec option in ImageOptions)
            if (context.Options.Has(option.Name)) return false;
        if (context.Args.Count != 1) return false;
        string bundle = context.Options.Get("bundle") is { Length: > 0 } b ? b : ".";
        return File.Exists(Path.Combine(bundle, "config.json"));
    }
}
