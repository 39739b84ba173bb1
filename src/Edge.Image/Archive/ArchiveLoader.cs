using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Image.Store;
using Edge.Linux;
using Edge.Oci.Image;
using Index = Edge.Oci.Image.Index;
using Edge.Oci.Json;

namespace Edge.Image.Archive;

/// <summary>
/// `edge load`: an OCI image layout (directory or tar) or a `docker save` archive into the store. Every
/// file is hashed as it is copied; a blob whose content does not match its name is refused. Names are
/// set only after all content of an image is in the store.
/// </summary>
public sealed class ArchiveLoader
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    public const string ContainerdNameAnnotation = "io.containerd.image.name";
    private const long MaxDocument = 4 << 20;

    private readonly ContentStore _store;
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Digest> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private string _source = "";

    public ArchiveLoader(ContentStore store)
    {
        _store = store;
    }

    public PlatformSpec Platform { get; init; } = PlatformSpec.Host();

    /// <summary>Loads <paramref name="source"/>; <paramref name="name"/> names an image the archive leaves unnamed.</summary>
    public List<ImageRecord> Load(string source, string? name)
    {
        _source = source;
        _store.Initialise();
        using var collection = _store.CollectionLock(exclusive: false);
        ArchiveSource.Read(source, OnFile, (path, target) => _links[path] = target);

        List<ImageRecord> records;
        if (_documents.TryGetValue("index.json", out byte[]? index) && (HasNames(index) || !_documents.ContainsKey("manifest.json")))
            records = FromLayout(index, name);
        else if (_documents.TryGetValue("manifest.json", out byte[]? dockerManifest))
            records = FromDockerArchive(dockerManifest, name);
        else
            throw new ImageException($"{source}: neither an OCI image layout (index.json) nor a docker save archive (manifest.json)");

        foreach (ImageRecord record in records) ImageNames.Set(_store, record);
        return records;
    }

    private void OnFile(string path, Stream content, long size)
    {
        if (path is "index.json" or "manifest.json" or "oci-layout" or "repositories")
        {
            if (size > MaxDocument) throw new ImageException($"{_source}: {path} is larger than {MaxDocument} bytes");
            var buffer = new MemoryStream();
            content.CopyTo(buffer);
            _documents[path] = buffer.ToArray();
            return;
        }
        if (path.EndsWith("/json", StringComparison.Ordinal) || path.EndsWith("/VERSION", StringComparison.Ordinal)) return; // docker's legacy per-layer metadata

        string[] parts = path.Split('/');
        bool isBlob = parts.Length == 3 && parts[0] == "blobs";
        Digest expected = default;
        if (isBlob && !Digest.TryParse(parts[1] + ":" + parts[2], out expected, out string? problem))
            throw new ImageException($"{_source}: {path}: not a blob name ({problem})");

        using Ingest? ingest = isBlob ? _store.BeginIngest(expected, size) : _store.BeginUnknownIngest();
        if (ingest is null)
        {
            _files[path] = expected; // already in the store (verified when it got there)
            return;
        }
        ingest.Restart();
        byte[] buffer2 = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            int n;
            while ((n = content.Read(buffer2, 0, buffer2.Length)) > 0) ingest.Append(buffer2.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer2);
        }
        try
        {
            _files[path] = ingest.Commit();
        }
        catch (DigestMismatchException ex)
        {
            throw new DigestMismatchException($"{_source}: {path}: {ex.Message}");
        }
    }

    private static bool HasNames(byte[] index)
    {
        try
        {
            Index parsed = ImageContent.ParseIndex(index, "index.json");
            return parsed.Manifests.Any(m => m.Annotations is { } a && (a.ContainsKey(RefNameAnnotation) || a.ContainsKey(ContainerdNameAnnotation)));
        }
        catch (OciFormatException)
        {
            return false;
        }
    }

    private List<ImageRecord> FromLayout(byte[] indexContent, string? name)
    {
        if (_documents.TryGetValue("oci-layout", out byte[]? layoutContent))
        {
            ImageLayout layout = OciJson.Parse(layoutContent, ImageReader.Layout, $"{_source}: oci-layout");
            if (!layout.Version.StartsWith("1.", StringComparison.Ordinal))
                throw new ImageException($"{_source}: oci-layout: unsupported imageLayoutVersion \"{layout.Version}\"");
        }
        Index index = ImageContent.ParseIndex(indexContent, $"{_source}: index.json");
        var records = new List<ImageRecord>();
        for (int i = 0; i < index.Manifests.Count; i++)
        {
            Descriptor entry = index.Manifests[i];
            string where = $"{_source}: index.json: $.manifests[{i}]";
            Digest top = Digest.Parse(entry.Digest, "digest in " + where);
            if (!_store.Has(top)) throw new ImageException($"{where}: blob {top} is not in the archive");
            string? refName = entry.Annotations?.GetValueOrDefault(ContainerdNameAnnotation) ?? entry.Annotations?.GetValueOrDefault(RefNameAnnotation);
            string imageName = ResolveName(refName, name, where);
            records.Add(Describe(imageName, top, entry.MediaType, where));
        }
        if (records.Count == 0) throw new ImageException($"{_source}: index.json lists no images");
        return records;
    }

    /// <summary>
    /// A full reference as it is; a bare tag (what skopeo and docker write in ref.name) joined to --name's
    /// repository; nothing at all, --name itself.
    /// </summary>
    private static string ResolveName(string? refName, string? name, string where)
    {
        if (refName is not null && (refName.Contains('/') || refName.Contains(':') || refName.Contains('@')))
            return ImageReference.Parse(refName).ToString();
        if (name is null)
            throw new ImageException($"{where}: the image has {(refName is null ? "no name" : $"only a tag (\"{refName}\")")}; give it one with --name REPOSITORY[:TAG]");
        ImageReference given = ImageReference.Parse(name);
        if (refName is not null && !name.Contains(':', StringComparison.Ordinal) && given.Digest is null)
            return (given with { Tag = refName }).ToString();
        return given.ToString();
    }

    private ImageRecord Describe(string name, Digest top, string mediaType, string where)
    {
        byte[] content = _store.Read(top, "manifest");
        Digest manifestDigest = top;
        string? platform = null;
        if (ImageContent.IsIndex(mediaType))
        {
            Descriptor chosen = ImageContent.SelectPlatform(ImageContent.ParseIndex(content, $"{where}: index {top}"), Platform, where);
            manifestDigest = Digest.Parse(chosen.Digest);
            platform = PlatformSpec.Describe(chosen.Platform);
            content = _store.Read(manifestDigest, "manifest for " + platform);
        }
        else if (!ImageContent.IsManifest(mediaType))
        {
            throw new ImageException($"{where}: unsupported media type \"{mediaType}\"");
        }
        Manifest manifest = ImageContent.ParseManifest(content, $"{where}: manifest {manifestDigest}");
        foreach (Descriptor blob in manifest.Layers.Prepend(manifest.Config))
        {
            Digest d = Digest.Parse(blob.Digest);
            if (!_store.Has(d)) throw new ImageException($"{where}: blob {d} of manifest {manifestDigest} is not in the archive");
            if (_store.SizeOf(d) != blob.Size) throw new DigestMismatchException($"{where}: blob {d} is {_store.SizeOf(d)} bytes, the manifest says {blob.Size}");
        }
        if (platform is null)
        {
            ImageConfig config = OciJson.Parse(_store.Read(Digest.Parse(manifest.Config.Digest), "config"), ImageReader.Config, $"{where}: config");
            platform = PlatformSpec.Normalise(config.Os, config.Architecture, config.Variant).ToString();
        }
        return new ImageRecord
        {
            Name = name,
            Digest = top.ToString(),
            MediaType = mediaType,
            Size = _store.SizeOf(top),
            Manifest = manifestDigest.ToString(),
            Platform = platform,
            ContentSize = manifest.Config.Size + manifest.Layers.Sum(l => l.Size),
            Updated = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        };
    }

    /// <summary>A docker save archive: its config and layer tars become an OCI manifest in the store.</summary>
    private List<ImageRecord> FromDockerArchive(byte[] content, string? name)
    {
        List<DockerArchiveEntry> entries = OciJson.Parse(content, ToolDocumentReader.DockerArchive, $"{_source}: manifest.json");
        var records = new List<ImageRecord>();
        for (int i = 0; i < entries.Count; i++)
        {
            string where = $"{_source}: manifest.json: $[{i}]";
            DockerArchiveEntry entry = entries[i];
            Digest config = FileDigest(entry.Config, where + ".Config");
            var layers = new List<Descriptor>();
            for (int l = 0; l < entry.Layers.Count; l++)
            {
                Digest layer = FileDigest(entry.Layers[l], $"{where}.Layers[{l}]");
                layers.Add(new Descriptor { MediaType = IsGzip(layer) ? MediaTypes.OciLayerGzip : MediaTypes.OciLayer, Digest = layer.ToString(), Size = _store.SizeOf(layer) });
            }
            CheckDiffIds(config, layers, where);
            var manifest = new Manifest
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = config.ToString(), Size = _store.SizeOf(config) },
                Layers = layers,
            };
            byte[] manifestContent = OciJson.ToUtf8(manifest, ImageWriter.Manifest);
            Digest manifestDigest = Digest.Compute(manifestContent);
            _store.Put(manifestDigest, manifestContent);

            var names = new List<string>();
            foreach (string tag in entry.RepoTags ?? new List<string>()) names.Add(ImageReference.Parse(tag).ToString());
            if (names.Count == 0) names.Add(ResolveName(null, name, where));
            foreach (string n in names) records.Add(Describe(n, manifestDigest, MediaTypes.OciManifest, where));
        }
        if (records.Count == 0) throw new ImageException($"{_source}: manifest.json lists no images");
        return records;
    }

    /// <summary>
    /// A docker save archive names its layers by file, not by digest: each layer is checked against the
    /// config's rootfs.diff_ids (the digest of its uncompressed tar), as every pulled or OCI-layout layer is
    /// checked against its descriptor, so nothing but the image's own layers gets its name.
    /// </summary>
    private void CheckDiffIds(Digest config, List<Descriptor> layers, string where)
    {
        ImageConfig parsed = OciJson.Parse(_store.Read(config, "config"), ImageReader.Config, $"{where}: config");
        List<string> diffIds = parsed.RootFs.DiffIds;
        if (diffIds.Count != layers.Count)
            throw new DigestMismatchException($"{where}: {layers.Count} layers, but the config's rootfs.diff_ids lists {diffIds.Count}");
        for (int l = 0; l < layers.Count; l++)
        {
            Digest layer = Digest.Parse(layers[l].Digest);
            string actual = UncompressedDigest(layer);
            if (!string.Equals(actual, diffIds[l], StringComparison.Ordinal))
                throw new DigestMismatchException($"{where}.Layers[{l}]: the layer's content is {actual}, the config's rootfs.diff_ids[{l}] says {Printable.Short(diffIds[l])}");
        }
    }

    private string UncompressedDigest(Digest layer)
    {
        if (!IsGzip(layer)) return layer.ToString();
        using FileStream file = _store.OpenRead(layer);
        using Stream gzip = DecompressionLimit.Bound(new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress), file.Length, $"{_source}: layer {layer}");
        try
        {
            return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(gzip));
        }
        catch (InvalidDataException)
        {
            throw new ImageException($"{_source}: layer {layer} is not valid gzip");
        }
    }

    private Digest FileDigest(string path, string where)
    {
        string normal = ArchiveSource.Normalise(path);
        for (int hops = 0; hops < 8 && _links.TryGetValue(normal, out string? target); hops++) normal = target;
        if (_files.TryGetValue(normal, out Digest digest)) return digest;
        throw new ImageException($"{where}: \"{path}\" is not in the archive");
    }

    private bool IsGzip(Digest digest)
    {
        using FileStream stream = _store.OpenRead(digest);
        return stream.ReadByte() == 0x1f && stream.ReadByte() == 0x8b;
    }
}
