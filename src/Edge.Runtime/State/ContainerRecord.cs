using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Runtime.State;

/// <summary>
/// What edge keeps about a container in ROOT/ID/state (<see cref="ContainerRecordFile"/>; edge 0.1 wrote
/// ROOT/ID/state.json, still read). The OCI state is derived from it: the status is read live from the
/// process and the cgroup, never trusted from the file.
/// </summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("bundle")] public required string Bundle { get; set; }
    [JsonPropertyName("rootfs")] public required string Rootfs { get; set; }
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Start time of the init in clock ticks since boot (/proc/PID/stat field 22): a reused pid has another.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("created")] public required string Created { get; set; }
    [JsonPropertyName("owner")] public string? Owner { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>The container's cgroup directories, one per hierarchy.</summary>
    [JsonPropertyName("cgroupPaths")] public List<string>? CgroupPaths { get; set; }
    [JsonPropertyName("cgroupUnified")] public bool CgroupUnified { get; set; }
    /// <summary>With --systemd-cgroup: the transient unit (scope or slice) systemd made for the container.</summary>
    [JsonPropertyName("systemdUnit")] public string? SystemdUnit { get; set; }
    /// <summary>Hooks from config.json, kept for start (poststart) and delete (poststop).</summary>
    [JsonPropertyName("hooks")] public Oci.RuntimeSpec.Hooks? Hooks { get; set; }
}

/// <summary>Reads edge 0.1's state.json records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ContainerRecord))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext
{
}
