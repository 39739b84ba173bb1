using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.RuntimeSpec;

/// <summary>config-linux.md: everything under "linux".</summary>
public sealed class LinuxSpec
{
    [JsonPropertyName("uidMappings")] public List<IdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<IdMapping>? GidMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public Resources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<Namespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<Device>? Devices { get; set; }
    [JsonPropertyName("netDevices")] public Dictionary<string, NetDevice>? NetDevices { get; set; }
    [JsonPropertyName("seccomp")] public Seccomp? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public IntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public MemoryPolicy? MemoryPolicy { get; set; }
    [JsonPropertyName("personality")] public Personality? Personality { get; set; }
    /// <summary>Keyed by clock name: "monotonic" or "boottime".</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, TimeOffset>? TimeOffsets { get; set; }
}

/// <summary>A namespace to create (no path) or to join (path to /proc/PID/ns/TYPE or a bind mount of it).</summary>
public sealed class Namespace
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
}

public sealed class TimeOffset
{
    [JsonPropertyName("secs")] public long Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint Nanosecs { get; set; }
}

/// <summary>A device node to create in the container's /dev.</summary>
public sealed class Device
{
    /// <summary>"c", "b", "u" or "p".</summary>
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("path")] public required string Path { get; set; }
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}

public sealed class NetDevice
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed class IntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }

    [JsonPropertyName("enableMonitoring"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableMonitoring { get; set; }
}

/// <summary>set_mempolicy(2) for the container process.</summary>
public sealed class MemoryPolicy
{
    [JsonPropertyName("mode")] public required string Mode { get; set; }
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

/// <summary>personality(2): domain LINUX or LINUX32.</summary>
public sealed class Personality
{
    [JsonPropertyName("domain")] public required string Domain { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}
