using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.Image;

/// <summary>image-spec descriptor.md: a typed, sized, content-addressed pointer.</summary>
public sealed class Descriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; set; }
    [JsonPropertyName("digest")] public required string Digest { get; set; }
    [JsonPropertyName("size")] public required long Size { get; set; }
    [JsonPropertyName("urls")] public List<string>? Urls { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Embedded content, base64 in JSON.</summary>
    [JsonPropertyName("data")] public byte[]? Data { get; set; }
    [JsonPropertyName("platform")] public Platform? Platform { get; set; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; set; }
}

/// <summary>image-spec image-index.md "platform".</summary>
public sealed class Platform
{
    [JsonPropertyName("architecture")] public required string Architecture { get; set; }
    [JsonPropertyName("os")] public required string Os { get; set; }
    [JsonPropertyName("os.version")] public string? OsVersion { get; set; }
    [JsonPropertyName("os.features")] public List<string>? OsFeatures { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
}

/// <summary>Media types edge reads; Docker's are accepted where registries still serve them.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciEmptyJson = "application/vnd.oci.empty.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}
