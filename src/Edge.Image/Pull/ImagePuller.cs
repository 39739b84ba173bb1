using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Oci.Image;
using Index = Edge.Oci.Image.Index;

namespace Edge.Image.Pull;

/// <summary>
/// `edge pull`: resolves a reference to a manifest (through an index, for the chosen platform), verifies
/// every document and blob against its digest, downloads config and layers concurrently, and names the image
/// in the store only when everything it refers to is there.
/// </summary>
public sealed class ImagePuller
{
    private readonly ContentStore _store;
    private readonly RegistryOptions _options;

    public ImagePuller(ContentStore store, RegistryOptions options)
    {
        _store = store;
        _options = options;
    }

    public int Concurrency { get; init; } = 3;
    public IPullProgress Progress { get; init; } = IPullProgress.Silent;
    /// <summary>Tests substitute the HTTP stack; null is the real one.</summary>
    public System.Net.Http.HttpMessageHandler? Handler { get; init; }

    /// <summary>
    /// Pulls <paramref name="reference"/> for <paramref name="platform"/>. A single-platform image whose config
    /// names another platform is refused only when <paramref name="platformRequested"/> (the user said
    /// --platform); otherwise it is taken as it is, as docker does.
    /// </summary>
    public async Task<ImageRecord> PullAsync(ImageReference reference, PlatformSpec platform, bool platformRequested = false, CancellationToken cancel = default)
    {
        string display = reference.ToString();
        _store.Initialise();
        using var client = new RegistryClient(reference.Domain, _options, Handler);
        using var collection = _store.CollectionLock(exclusive: false);

        await client.PingAsync(reference.Path, display, cancel).ConfigureAwait(false);
        Resolved resolved = await ResolveAsync(client, reference, platform, display, cancel).ConfigureAwait(false);
        Manifest manifest = ImageContent.ParseManifest(resolved.ManifestContent, $"{display}: manifest {resolved.ManifestDigest}");
        await DownloadBlobsAsync(client, reference.Path, manifest, resolved.ManifestDigest, display, cancel).ConfigureAwait(false);
        string platformText = resolved.Platform ?? ConfirmPlatform(manifest, platform, platformRequested, display);

        var record = new ImageRecord
        {
            Name = display,
            Digest = resolved.Top.ToString(),
            MediaType = resolved.TopType,
            Size = resolved.TopSize,
            Manifest = resolved.ManifestDigest.ToString(),
            Platform = platformText,
            ContentSize = manifest.Config.Size + manifest.Layers.Sum(l => l.Size),
            Updated = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        };
        ImageNames.Set(_store, record);
        Progress.Finished();
        return record;
    }

    /// <summary>The document the reference names, and the image manifest for the platform (the same document unless it is an index).</summary>
    private sealed record Resolved(Digest Top, string TopType, long TopSize, Digest ManifestDigest, byte[] ManifestContent, string? Platform);

    /// <summary>
    /// The top document by tag or digest, verified and stored; for an index, the manifest of the chosen
    /// platform, checked against the index's digest and size (and fetched only if the store lacks it).
    /// </summary>
    private async Task<Resolved> ResolveAsync(RegistryClient client, ImageReference reference, PlatformSpec platform, string display, CancellationToken cancel)
    {
        var (content, contentType, digestHeader) = await client.GetManifestAsync(reference.Path, reference.Digest ?? reference.Tag!, display, cancel).ConfigureAwait(false);
        Digest top = VerifyManifest(content, reference.Digest, digestHeader, display);
        string topType = ImageContent.Resolve(contentType, content, display);
        _store.Put(top, content);
        if (!ImageContent.IsIndex(topType)) return new Resolved(top, topType, content.Length, top, content, null);

        Index index = ImageContent.ParseIndex(content, $"{display}: index {top}");
        Descriptor chosen = ImageContent.SelectPlatform(index, platform, display);
        Digest manifestDigest = Digest.Parse(chosen.Digest, $"manifest digest in index {top}");
        string platformText = PlatformSpec.Describe(chosen.Platform);
        if (_store.Has(manifestDigest))
            return new Resolved(top, topType, content.Length, manifestDigest, _store.Read(manifestDigest, "manifest"), platformText);

        var (child, childType, childHeader) = await client.GetManifestAsync(reference.Path, manifestDigest.ToString(), display, cancel).ConfigureAwait(false);
        VerifyManifest(child, manifestDigest.ToString(), childHeader, display);
        if (child.Length != chosen.Size)
            throw new DigestMismatchException($"{display}: manifest {manifestDigest} is {child.Length} bytes, the index says {chosen.Size}");
        if (!ImageContent.IsManifest(ImageContent.Resolve(childType, child, display)))
            throw new ImageException($"{display}: index entry {manifestDigest} is not an image manifest");
        _store.Put(manifestDigest, child);
        return new Resolved(top, topType, content.Length, manifestDigest, child, platformText);
    }

    /// <summary>Config and layers, a bounded number at a time; the first failure cancels the rest and is the one reported.</summary>
    private async Task DownloadBlobsAsync(RegistryClient client, string repository, Manifest manifest, Digest manifestDigest, string display, CancellationToken cancel)
    {
        if (manifest.Config.Size > ContentStore.MaxDocumentBytes)
            throw new ImageException($"{display}: config {manifest.Config.Digest} is {manifest.Config.Size} bytes, more than the {ContentStore.MaxDocumentBytes} bytes edge reads as a document");
        var blobs = new List<(Descriptor Descriptor, string Kind)> { (manifest.Config, "config") };
        blobs.AddRange(manifest.Layers.Select(l => (l, "layer")));
        var downloader = new BlobDownloader(client, _store, Progress);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var gate = new SemaphoreSlim(Math.Max(1, Concurrency));
        var seen = new HashSet<string>();
        var tasks = new List<Task>();
        foreach (var (descriptor, kind) in blobs)
        {
            if (!seen.Add(descriptor.Digest)) continue; // a layer listed twice is fetched once
            Digest digest = Digest.Parse(descriptor.Digest, $"{kind} digest in manifest {manifestDigest}");
            if (descriptor.Size < 0) throw new ImageException($"{display}: {kind} {digest} has a negative size");
            tasks.Add(Task.Run(async () =>
            {
                await gate.WaitAsync(failed.Token).ConfigureAwait(false);
                try
                {
                    await downloader.DownloadAsync(repository, digest, descriptor.Size, kind, display, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    failed.Cancel();
                    throw;
                }
                finally
                {
                    gate.Release();
                }
            }, failed.Token));
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            Exception? first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null) throw first;
            throw;
        }
    }

    /// <summary>
    /// A single-platform image's platform, from its config. It is refused only when the user asked for
    /// another platform with --platform; otherwise it is taken as it is, as docker does.
    /// </summary>
    private string ConfirmPlatform(Manifest manifest, PlatformSpec platform, bool platformRequested, string display)
    {
        ImageConfig config = Edge.Oci.Json.OciJson.Parse(_store.Read(Digest.Parse(manifest.Config.Digest), "config"),
            Edge.Oci.Json.ImageReader.Config, $"{display}: config {manifest.Config.Digest}");
        PlatformSpec actual = PlatformSpec.Normalise(config.Os, config.Architecture, config.Variant);
        if (platformRequested && !platform.Matches(new Platform { Os = actual.Os, Architecture = actual.Architecture, Variant = actual.Variant }))
            throw new ImageException($"{display}: the image is for {actual}, not the requested {platform}");
        return actual.ToString();
    }

    /// <summary>
    /// The digest of fetched manifest content: it must equal the digest asked for, and the registry's
    /// Docker-Content-Digest header when it sends one.
    /// </summary>
    public static Digest VerifyManifest(byte[] content, string? expected, string? header, string display)
    {
        Digest? wanted = expected is null ? null : Digest.Parse(expected);
        Digest actual = Digest.Compute(content, wanted?.Algorithm ?? "sha256");
        if (wanted is Digest w && w != actual)
            throw new DigestMismatchException($"{display}: manifest content has digest {actual}, expected {w}");
        if (!string.IsNullOrEmpty(header))
        {
            if (!Digest.TryParse(header, out Digest claimed, out _))
                throw new ImageException($"{display}: registry sent an invalid Docker-Content-Digest \"{header}\"");
            Digest check = claimed.Algorithm == actual.Algorithm ? actual : Digest.Compute(content, claimed.Algorithm);
            if (claimed != check)
                throw new DigestMismatchException($"{display}: manifest content has digest {check}, the registry's Docker-Content-Digest says {claimed}");
        }
        return actual;
    }
}
