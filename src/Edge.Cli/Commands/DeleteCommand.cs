using Edge.Cli.CommandLine;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge delete ID`: a stopped container's state and cgroups go (--force kills it first).</summary>
internal static class DeleteCommand
{
    public static readonly CommandSpec Definition = new()
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
}
