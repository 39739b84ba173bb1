using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Oci.Json;
using static Edge.Oci.Json.FastJson;

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

/// <summary>Reads edge 0.1's state.json records (see FastJson).</summary>
public static class LegacyRecordReader
{
    public static readonly Read<ContainerRecord> Record = ReadRecord;

    private static ContainerRecord ReadRecord(ref Utf8JsonReader r)
    {
        var c = new ContainerRecord { Id = null!, Bundle = null!, Rootfs = null!, Created = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "id"u8)) { c.Id = Str(ref r); seen |= 1; }
            else if (Is(ref r, "bundle"u8)) { c.Bundle = Str(ref r); seen |= 2; }
            else if (Is(ref r, "rootfs"u8)) { c.Rootfs = Str(ref r); seen |= 4; }
            else if (Is(ref r, "pid"u8)) c.Pid = I32(ref r);
            else if (Is(ref r, "pidStartTime"u8)) c.PidStartTime = U64(ref r);
            else if (Is(ref r, "created"u8)) { c.Created = Str(ref r); seen |= 8; }
            else if (Is(ref r, "owner"u8)) c.Owner = NStr(ref r);
            else if (Is(ref r, "annotations"u8)) c.Annotations = StringMap(ref r);
            else if (Is(ref r, "cgroupPaths"u8)) c.CgroupPaths = Strings(ref r);
            else if (Is(ref r, "cgroupUnified"u8)) c.CgroupUnified = Bool(ref r);
            else if (Is(ref r, "systemdUnit"u8)) c.SystemdUnit = NStr(ref r);
            else if (Is(ref r, "hooks"u8)) c.Hooks = Maybe(ref r, SpecReader.Hooks);
            else Skip(ref r);
        }
        Require(seen, "id", "bundle", "rootfs", "created");
        return c;
    }
}
