using System;
using System.IO;

namespace Edge.Runtime;

/// <summary>The --root directory: one sub-directory per container holding state.json.</summary>
public sealed class StateRoot
{
    public StateRoot(string path) => Path = path;

    public string Path { get; }

    /// <summary>runc's rule: /run/runc for root, $XDG_RUNTIME_DIR/runc otherwise; edge uses "edge".</summary>
    public static string DefaultPath(uint euid)
    {
        if (euid != 0 && Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg)
            return System.IO.Path.Combine(xdg, "edge");
        return "/run/edge";
    }

    public string ContainerDirectory(string id) => System.IO.Path.Combine(Path, ContainerId.Validate(id));

    public string StateFile(string id) => System.IO.Path.Combine(ContainerDirectory(id), "state.json");

    public bool Exists(string id) => File.Exists(StateFile(id));
}
