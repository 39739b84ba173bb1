using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.Image;

/// <summary>image-spec config.md: the image configuration blob.</summary>
public sealed class ImageConfig
{
    /// <summary>RFC 3339 text, kept as written so that digests of re-serialised configs stay stable.</summary>
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public required string Architecture { get; set; }
    [JsonPropertyName("os")] public required string Os { get; set; }
    [JsonPropertyName("os.version")] public string? OsVersion { get; set; }
    [JsonPropertyName("os.features")] public List<string>? OsFeatures { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public required RootFs RootFs { get; set; }
    [JsonPropertyName("history")] public List<History>? History { get; set; }
}

/// <summary>The execution parameters in an image config (capitalised names, as Docker wrote them).</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("Volumes")] public Dictionary<string, EmptyObject>? Volumes { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }

    [JsonPropertyName("ArgsEscaped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ArgsEscaped { get; set; }
}

public sealed class RootFs
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("diff_ids")] public required List<string> DiffIds { get; set; }
}

public sealed class History
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }

    [JsonPropertyName("empty_layer"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EmptyLayer { get; set; }
}

/// <summary>The `{}` values of ExposedPorts and Volumes.</summary>
public sealed class EmptyObject
{
}
