using System.IO;
using Edge.Cli.CommandLine;
using Edge.Image.Store;
using Edge.Containers;
using Edge.Runtime.Lifecycle;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`edge rm NAME`: an image container (`edge run IMAGE`) and its directory.</summary>
internal static class RmCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "rm",
        Summary = "remove containers started with edge run IMAGE (their writable layer and bundle)",
        Usage = "NAME [NAME...]",
        MinArgs = 1,
        Options = new[] { OptionSpec.Flag("force", "kill and remove a running container", "f") },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ContentStore store = context.ImageStore;
        ContainerStore containers = context.Store;
        int status = 0;
        foreach (string name in context.Args)
        {
            if (containers.Exists(name))
                ContainerDeleter.Delete(containers, name, force: context.Options.Flag("force"), context.Log.Warn);
            if (!ImageContainer.Remove(store, name) && !containers.Exists(name))
            {
                context.Log.Error($"container \"{name}\" does not exist");
                context.Output.Error($"edge: container \"{name}\" does not exist");
                status = 1;
                continue;
            }
            context.Output.WriteLine(name);
        }
        return status;
    }
}
