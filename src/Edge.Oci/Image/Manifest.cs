using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.Image;

/// <summary>image-spec manifest.md (also Docker schema 2, which has the same shape).</summary>
public sealed class Manifest
{
    [JsonPropertyName("schemaVersion")] public required int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; set; }
    [JsonPropertyName("config")] public required Descriptor Config { get; set; }
    [JsonPropertyName("layers")] public required List<Descriptor> Layers { get; set; }
    [JsonPropertyName("subject")] public Descriptor? Subject { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>image-spec image-index.md (also Docker's manifest list).</summary>
public sealed class Index
{
    [JsonPropertyName("schemaVersion")] public required int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; set; }
    [JsonPropertyName("manifests")] public required List<Descriptor> Manifests { get; set; }
    [JsonPropertyName("subject")] public Descriptor? Subject { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>image-spec image-layout.md: the oci-layout file.</summary>
public sealed class ImageLayout
{
    public const string FileName = "oci-layout";
    public const string CurrentVersion = "1.0.0";

    [JsonPropertyName("imageLayoutVersion")] public required string Version { get; set; }
}
