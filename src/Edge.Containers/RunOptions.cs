using System.Collections.Generic;

namespace Edge.Containers;

/// <summary>What `edge run IMAGE` (and `edge unpack`) can change in the generated runtime config.</summary>
public sealed record RunOptions
{
    /// <summary>Replaces the image's Cmd (and, with <see cref="Entrypoint"/>, its Entrypoint).</summary>
    public IReadOnlyList<string> Command { get; init; } = System.Array.Empty<string>();
    public string? Entrypoint { get; init; }
    /// <summary>KEY=VALUE (or KEY alone: taken from edge's own environment, as docker does).</summary>
    public IReadOnlyList<string> Env { get; init; } = System.Array.Empty<string>();
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public string? Hostname { get; init; }
    public bool Terminal { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>"private" (a network namespace with only loopback, the default), "none" (the same) or "host".</summary>
    public string Network { get; init; } = "private";
    /// <summary>HOST:CONTAINER[:ro] bind mounts.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = System.Array.Empty<string>();
}
