using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge pause ID` and `edge resume ID`: the cgroup freezer, one verb each way.</summary>
internal static class FreezerCommands
{
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
}
