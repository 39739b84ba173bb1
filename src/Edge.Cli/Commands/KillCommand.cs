using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge kill ID [SIGNAL]`: a signal to the init, or with --all to every process.</summary>
internal static class KillCommand
{
    public static readonly CommandSpec Definition = new()
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
}
