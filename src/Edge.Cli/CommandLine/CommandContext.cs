using System.Collections.Generic;
using Edge.Runtime.State;

namespace Edge.Cli.CommandLine;

/// <summary>Everything a verb needs: resolved global options, its own options and arguments, output and log.</summary>
internal sealed class CommandContext
{
    public required CommandSpec Command { get; init; }
    public required ParsedOptions Options { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required GlobalOptions Global { get; init; }
    public required Output Output { get; init; }
    public required Log Log { get; init; }

    /// <summary>The executor's container state (--root).</summary>
    public ContainerStore Store => new(Global.Root);

    /// <summary>The image content store (--store).</summary>
    public Edge.Image.Store.ContentStore ImageStore => new(Global.Store);

    /// <summary>
    /// Reports an expected failure without throwing: for errors that are the common case of a verb
    /// (podman asks for the state of gone containers all the time) and so sit on a hot path.
    /// </summary>
    public required System.Func<string, int> Fail { get; init; }
}

/// <summary>runc's global options, which containerd, podman and k3s pass before the verb.</summary>
internal sealed class GlobalOptions
{
    public required string Root { get; init; }
    public string? LogFile { get; init; }
    public LogFormat LogFormat { get; init; }
    public bool Debug { get; init; }
    public bool SystemdCgroup { get; init; }
    /// <summary>runc's --rootless: "true", "false" or "auto" (the default).</summary>
    public string Rootless { get; init; } = "auto";
    /// <summary>The image content store's root (--store, $EDGE_STORE, /var/lib/edge).</summary>
    public string Store { get; init; } = Edge.Image.Store.ContentStore.DefaultRoot;
}
