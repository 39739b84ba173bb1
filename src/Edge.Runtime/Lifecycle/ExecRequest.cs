using System.Collections.Generic;

namespace Edge.Runtime.Lifecycle;

/// <summary>The inputs of `exec`: a process file, or arguments with runc's overriding flags.</summary>
public sealed class ExecRequest
{
    public required string Root { get; init; }
    public required string Id { get; init; }
    public string? ProcessFile { get; init; }
    public IReadOnlyList<string> Args { get; init; } = new List<string>();
    public IReadOnlyList<string> Env { get; init; } = new List<string>();
    public string? Cwd { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> AdditionalGids { get; init; } = new List<string>();
    public IReadOnlyList<string> Caps { get; init; } = new List<string>();
    public bool Tty { get; init; }
    public bool NoNewPrivs { get; init; }
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public int PreserveFds { get; init; }
    public bool IgnorePaused { get; init; }
    /// <summary>--cgroup: "[controller,...:]path" sub-cgroups of the container's, as runc takes them.</summary>
    public IReadOnlyList<string> SubCgroups { get; init; } = new List<string>();
}
