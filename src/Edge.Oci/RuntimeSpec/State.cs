using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.RuntimeSpec;

/// <summary>runtime.md "state": what `edge state ID` prints and hooks read on stdin.</summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public required string OciVersion { get; set; }
    [JsonPropertyName("id")] public required string Id { get; set; }
    /// <summary>creating, created, running, stopped (and paused, as runc reports it).</summary>
    [JsonPropertyName("status")] public required string Status { get; set; }

    [JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Pid { get; set; }

    [JsonPropertyName("bundle")] public required string Bundle { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>What a seccomp listener receives with the notify fd (runtime.md "ContainerProcessState").</summary>
public sealed class ContainerProcessState
{
    public const string SeccompFdName = "seccompFd";

    [JsonPropertyName("ociVersion")] public required string OciVersion { get; set; }
    [JsonPropertyName("fds")] public required List<string> Fds { get; set; }
    [JsonPropertyName("pid")] public required int Pid { get; set; }
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("state")] public required State State { get; set; }
}
