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

        // The top document: an index or a manifest, by tag or digest.
        var (content, contentType, digestHeader) = await client.GetManifestAsync(reference.Path, reference.Digest ?? reference.Tag!, display, cancel).ConfigureAwait(false);
        Digest top = VerifyManifest(content, reference.Digest, digestHeader, display);
        string topType = ImageContent.Resolve(contentType, content, display);
        _store.Put(top, content);

        Digest manifestDigest = top;
        byte[] manifestContent = content;
        string? platformText = null;
        if (ImageContent.IsIndex(topType))
        {
            Index index = ImageContent.ParseIndex(content, $"{display}: index {top}");
            Descriptor chosen = ImageContent.SelectPlatform(index, platform, display);
            manifestDigest = Digest.Parse(chosen.Digest, $"manifest digest in index {top}");
            platformText = PlatformSpec.Describe(chosen.Platform);
            if (_store.Has(manifestDigest))
            {
                manifestContent = _store.Read(manifestDigest, "manifest");
            }
            else
            {
                var (child, childType, childHeader) = await client.GetManifestAsync(reference.Path, manifestDigest.ToString(), display, cancel).ConfigureAwait(false);
                VerifyManifest(child, manifestDigest.ToString(), childHeader, display);
                if (child.Length != chosen.Size)
                    throw new DigestMismatchException($"{display}: manifest {manifestDigest} is {child.Length} bytes, the index says {chosen.Size}");
                if (!ImageContent.IsManifest(ImageContent.Resolve(childType, child, display)))
                    throw new ImageException($"{display}: index entry {manifestDigest} is not an image manifest");
                _store.Put(manifestDigest, child);
                manifestContent = child;
            }
        }
        Manifest manifest = ImageContent.ParseManifest(manifestContent, $"{display}: manifest {manifestDigest}");

        // Config and layers, a bounded number at a time; the first failure cancels the rest.
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
                    await downloader.DownloadAsync(reference.Path, digest, descriptor.Size, kind, display, failed.Token).ConfigureAwait(false);
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
            // Report the failure that caused the others' cancellation.
            Exception? first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null) throw first;
            throw;
        }

        if (platformText is null)
        {
            ImageConfig config = Edge.Oci.Json.OciJson.Parse(_store.Read(Digest.Parse(manifest.Config.Digest), "config"),
                Edge.Oci.Json.ImageReader.Config, static () => Edge.Oci.Json.OciJsonContext.Default.ImageConfig, $"{display}: config {manifest.Config.Digest}");
            PlatformSpec actual = PlatformSpec.Normalise(config.Os, config.Architecture, config.Variant);
            if (platformRequested && !platform.Matches(new Platform { Os = actual.Os, Architecture = actual.Architecture, Variant = actual.Variant }))
                throw new ImageException($"{display}: the image is for {actual}, not the requested {platform}");
            platformText = actual.ToString();
        }

        var record = new ImageRecord
        {
            Name = display,
            Digest = top.ToString(),
            MediaType = topType,
            Size = content.Length,
            Manifest = manifestDigest.ToString(),
            Platform = platformText,
            ContentSize = manifest.Config.Size + manifest.Layers.Sum(l => l.Size),
            Updated = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        };
        ImageNames.Set(_store, record);
        Progress.Finished();
        return record;
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
