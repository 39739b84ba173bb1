using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge start ID`: the created container's process runs.</summary>
internal static class StartCommand
{
    public static readonly CommandSpec Definition = new()
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
}
