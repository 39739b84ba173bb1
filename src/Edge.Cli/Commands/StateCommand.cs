using Edge.Cli.CommandLine;
using Edge.Oci.Json;
using Edge.Runtime;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`edge state ID`: the runtime-spec state of a container as indented JSON.</summary>
internal static class StateCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "state",
        Summary = "output the state of a container",
        Usage = "<container-id>",
        Description = "   Prints the runtime-spec state (ociVersion, id, status, pid, bundle, annotations) as JSON.\n",
        MinArgs = 1,
        MaxArgs = 1,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string id = context.Args[0];
        ContainerStore store = context.Store;
        if (!store.Exists(id)) return context.Fail(new ContainerNotFoundException(id).Message);
        var state = ContainerStatus.Describe(store.Load(id), store.DirectoryOf(id));
        context.Output.Write(OciJson.ToIndentedUtf8(state, SpecWriter.State, ' ', 2));
        context.Output.Write("\n");
        return 0;
    }
}
