using System.Collections.Generic;
using System.Text.Json.Serialization;

// The JSON documents of the image side that are edge's own or other tools' (not OCI's): the store index,
// auth files, registry token and error bodies, docker save manifests. ImageListReader and ImageListWriter
// read and write the first; ToolDocumentReader reads the others.

namespace Edge.Image;

/// <summary>One name in the store's index: what it points at and which platform's manifest was fetched.</summary>
public sealed class ImageRecord
{
    /// <summary>The normalised reference, e.g. docker.io/library/busybox:latest (or name@digest).</summary>
    [JsonPropertyName("name")] public required string Name { get; set; }
    /// <summary>The digest the reference resolved to: an index or a manifest.</summary>
    [JsonPropertyName("digest")] public required string Digest { get; set; }
    [JsonPropertyName("mediaType")] public required string MediaType { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    /// <summary>The platform's image manifest: <see cref="Digest"/> itself unless that is an index.</summary>
    [JsonPropertyName("manifest")] public required string Manifest { get; set; }
    [JsonPropertyName("platform")] public string? Platform { get; set; }
    /// <summary>Compressed size of config and layers, as registries and `docker images` count it.</summary>
    [JsonPropertyName("contentSize")] public long ContentSize { get; set; }
    /// <summary>When the name was last set (RFC 3339, UTC).</summary>
    [JsonPropertyName("updated")] public string? Updated { get; set; }
}

/// <summary>images.json: every name in the store.</summary>
public sealed class ImageList
{
    [JsonPropertyName("images")] public List<ImageRecord> Images { get; set; } = new();
}

/// <summary>docker's and podman's auth file: only <c>auths</c> is read (credential helpers are not run).</summary>
public sealed class AuthFile
{
    [JsonPropertyName("auths")] public Dictionary<string, AuthEntry>? Auths { get; set; }
}

public sealed class AuthEntry
{
    /// <summary>base64("user:password").</summary>
    [JsonPropertyName("auth")] public string? Auth { get; set; }
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; set; }
}

/// <summary>A bearer token response (distribution token spec): <c>token</c> or <c>access_token</c>.</summary>
public sealed class TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; set; }
}

/// <summary>A registry's error body: <c>{"errors":[{"code":..,"message":..}]}</c>.</summary>
public sealed class RegistryErrorBody
{
    [JsonPropertyName("errors")] public List<RegistryError>? Errors { get; set; }
}

public sealed class RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>One entry of a `docker save` archive's manifest.json.</summary>
public sealed class DockerArchiveEntry
{
    [JsonPropertyName("Config")] public required string Config { get; set; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public required List<string> Layers { get; set; }
}
