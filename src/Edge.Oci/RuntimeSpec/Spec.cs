using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.RuntimeSpec;

/// <summary>The bundle's config.json (runtime-spec config.md). Unknown fields are ignored.</summary>
public sealed class Spec
{
    /// <summary>The newest spec version edge implements (state, features); it reads every 1.x config.</summary>
    public const string CurrentVersion = "1.2.1";

    /// <summary>
    /// The version `edge spec` puts in a starter config. That config uses nothing newer than 1.0.2, and
    /// older runtimes refuse versions they do not know (crun 1.8, in Debian 12, refuses 1.2.x), so the
    /// bundle stays portable.
    /// </summary>
    public const string StarterVersion = "1.0.2";

    [JsonPropertyName("ociVersion")] public required string OciVersion { get; set; }
    [JsonPropertyName("process")] public Process? Process { get; set; }
    [JsonPropertyName("root")] public Root? Root { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("linux")] public LinuxSpec? Linux { get; set; }
}

/// <summary>config.md "root": the container's root filesystem, relative to the bundle unless absolute.</summary>
public sealed class Root
{
    [JsonPropertyName("path")] public required string Path { get; set; }

    [JsonPropertyName("readonly"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Readonly { get; set; }
}

/// <summary>config.md "mounts".</summary>
public sealed class Mount
{
    [JsonPropertyName("destination")] public required string Destination { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    [JsonPropertyName("uidMappings")] public List<IdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<IdMapping>? GidMappings { get; set; }
}

/// <summary>A uid or gid range mapping (config-linux.md "User namespace mappings").</summary>
public sealed class IdMapping
{
    [JsonPropertyName("containerID")] public required uint ContainerId { get; set; }
    [JsonPropertyName("hostID")] public required uint HostId { get; set; }
    [JsonPropertyName("size")] public required uint Size { get; set; }
}

/// <summary>config.md "hooks": the six lifecycle points.</summary>
public sealed class Hooks
{
    [JsonPropertyName("prestart")] public List<Hook>? Prestart { get; set; }
    [JsonPropertyName("createRuntime")] public List<Hook>? CreateRuntime { get; set; }
    [JsonPropertyName("createContainer")] public List<Hook>? CreateContainer { get; set; }
    [JsonPropertyName("startContainer")] public List<Hook>? StartContainer { get; set; }
    [JsonPropertyName("poststart")] public List<Hook>? Poststart { get; set; }
    [JsonPropertyName("poststop")] public List<Hook>? Poststop { get; set; }
}

public sealed class Hook
{
    [JsonPropertyName("path")] public required string Path { get; set; }
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>Seconds; must be greater than zero when present.</summary>
    [JsonPropertyName("timeout")] public int? Timeout { get; set; }
}
