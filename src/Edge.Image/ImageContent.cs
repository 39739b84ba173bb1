using System;
using System.Collections.Generic;
using System.Text.Json;
using Edge.Oci.Image;
using Index = Edge.Oci.Image.Index;
using Edge.Oci.Json;

namespace Edge.Image;

/// <summary>What edge accepts as manifests and layers, and how a manifest's own media type is learned.</summary>
public static class ImageContent
{
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

    public static bool IsIndex(string mediaType) => mediaType is MediaTypes.OciIndex or MediaTypes.DockerManifestList;

    public static bool IsManifest(string mediaType) => mediaType is MediaTypes.OciManifest or MediaTypes.DockerManifest;

    public static bool IsLayer(string mediaType) => mediaType is MediaTypes.OciLayer or MediaTypes.OciLayerGzip or MediaTypes.OciLayerZstd
        or MediaTypes.DockerLayerGzip or DockerLayerTar;

    public static bool IsConfig(string mediaType) => mediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig;

    /// <summary>
    /// The media type of fetched manifest content: the Content-Type when it is one edge reads, else the
    /// document's own mediaType field (OCI manifests may leave it out: then the shape decides).
    /// </summary>
    public static string Resolve(string? contentType, ReadOnlySpan<byte> content, string display)
    {
        if (contentType is not null && (IsIndex(contentType) || IsManifest(contentType))) return contentType;
        if (contentType is DockerSchema1 or DockerSchema1Signed)
            throw new ImageException($"{display}: Docker schema 1 manifests are not supported (media type {contentType}); push the image again with a current tool");
        string? field = null;
        bool hasManifests = false, hasLayers = false;
        try
        {
            var reader = new Utf8JsonReader(content);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("mediaType"u8) && reader.Read() && reader.TokenType == JsonTokenType.String) field = reader.GetString();
                    else if (reader.ValueTextEquals("manifests"u8)) { hasManifests = true; reader.Read(); reader.Skip(); }
                    else if (reader.ValueTextEquals("layers"u8)) { hasLayers = true; reader.Read(); reader.Skip(); }
                    else { reader.Read(); reader.Skip(); }
                }
            }
        }
        catch (JsonException ex)
        {
            throw new ImageException($"{display}: manifest is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }
        if (field is not null && (IsIndex(field) || IsManifest(field))) return field;
        if (field is null && hasManifests) return MediaTypes.OciIndex;
        if (field is null && hasLayers) return MediaTypes.OciManifest;
        throw new ImageException($"{display}: unsupported manifest media type \"{field ?? contentType ?? "(none)"}\"");
    }

    public static Manifest ParseManifest(byte[] content, string display)
    {
        Manifest manifest = OciJson.Parse(content, ImageReader.Manifest, display);
        if (!IsConfig(manifest.Config.MediaType) && manifest.Config.MediaType != MediaTypes.OciEmptyJson)
            throw new ImageException($"{display}: $.config.mediaType: \"{manifest.Config.MediaType}\" is not an image config (an artifact, not a container image?)");
        for (int i = 0; i < manifest.Layers.Count; i++)
            if (!IsLayer(manifest.Layers[i].MediaType))
                throw new ImageException($"{display}: $.layers[{i}].mediaType: unsupported layer media type \"{manifest.Layers[i].MediaType}\"");
        return manifest;
    }

    public static Index ParseIndex(byte[] content, string display) => OciJson.Parse(content, ImageReader.Index, display);

    /// <summary>Picks the index entry for a platform, or explains which platforms there are.</summary>
    public static Descriptor SelectPlatform(Index index, PlatformSpec platform, string display)
    {
        foreach (Descriptor entry in index.Manifests)
            if (IsManifest(entry.MediaType) && platform.Matches(entry.Platform)) return entry;
        var available = new List<string>();
        foreach (Descriptor entry in index.Manifests)
            if (IsManifest(entry.MediaType) && entry.Platform is not null) available.Add(PlatformSpec.Describe(entry.Platform));
        throw new ImageException($"{display}: no image for platform {platform} (the index has: {(available.Count == 0 ? "none" : string.Join(", ", available))})");
    }
}
