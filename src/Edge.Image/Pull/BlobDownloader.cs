using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Edge.Image.Registry;
using Edge.Image.Store;

namespace Edge.Image.Pull;

/// <summary>
/// Downloads one blob into the store: streamed to the ingest file while hashed, resumed with a Range
/// request from where a broken transfer stopped (in this pull or an earlier one), published only when the
/// size and digest match.
/// </summary>
public sealed class BlobDownloader
{
    private const int ChunkSize = 128 << 10;
    private readonly RegistryClient _client;
    private readonly ContentStore _store;
    private readonly IPullProgress _progress;

    public BlobDownloader(RegistryClient client, ContentStore store, IPullProgress progress)
    {
        _client = client;
        _store = store;
        _progress = progress;
    }

    public async Task DownloadAsync(string repository, Digest digest, long size, string kind, string display, CancellationToken cancel)
    {
        using Ingest? ingest = await Task.Run(() => _store.BeginIngest(digest, size), cancel).ConfigureAwait(false);
        if (ingest is null)
        {
            _progress.Complete(digest, kind, size, existed: true);
            return;
        }
        _progress.Begin(digest, kind, size, ingest.Offset);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                string? broken = await TransferAsync(repository, digest, ingest, buffer, display, cancel).ConfigureAwait(false);
                if (broken is null) break;
                if (attempt >= _client.Options.MaxAttempts)
                    throw new ImageException($"{display}: {kind} {digest}: {broken} after {attempt} tries ({ingest.Offset} of {size} bytes kept for the next pull)");
                _progress.Retry(digest, ingest.Offset, broken);
                await Task.Delay(_client.Options.Backoff(attempt + 1), cancel).ConfigureAwait(false);
            }
            try
            {
                ingest.Commit();
            }
            catch (DigestMismatchException ex)
            {
                throw new DigestMismatchException($"{display}: {kind} {ex.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _progress.Complete(digest, kind, size, existed: false);
    }

    /// <summary>One request: appends what arrives. Returns null when the blob is complete, else why it broke.</summary>
    private async Task<string?> TransferAsync(string repository, Digest digest, Ingest ingest, byte[] buffer, string display, CancellationToken cancel)
    {
        long offset = ingest.Offset;
        if (ingest.Size >= 0 && offset == ingest.Size && offset > 0) return null;
        using var pace = new ResponsePace(_client.Options, cancel);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(HttpMethod.Get, repository, $"{repository}/blobs/{digest}",
                r => { if (offset > 0) r.Headers.Range = new RangeHeaderValue(offset, null); }, pace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (pace.IsDeadline(ex))
        {
            return $"no answer within the request timeout ({_client.Options.RequestTimeout.TotalSeconds:0} s)";
        }
        using HttpResponseMessage _ = response;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            ingest.Restart(); // the partial is longer than the blob: start over
            return "the registry refused to resume";
        }
        if (!response.IsSuccessStatusCode) throw await _client.ErrorAsync(response, display, $"blob {digest}").ConfigureAwait(false);
        if (offset > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset))
            ingest.Restart(); // the server sent the whole blob again

        try
        {
            using Stream body = await response.Content.ReadAsStreamAsync(pace.Token).ConfigureAwait(false);
            while (true)
            {
                int n = await pace.ReadAsync(body, buffer.AsMemory(0, buffer.Length)).ConfigureAwait(false);
                if (n == 0) break;
                ingest.Append(buffer.AsSpan(0, n));
                _progress.Advance(digest, n);
            }
        }
        catch (DigestMismatchException ex)
        {
            ingest.Discard();
            throw new DigestMismatchException($"{display}: {ex.Message}");
        }
        catch (OperationCanceledException ex) when (pace.IsDeadline(ex))
        {
            return $"not complete within the request timeout ({_client.Options.RequestTimeout.TotalSeconds:0} s)";
        }
        catch (Exception ex) when (RegistryClient.IsTransient(ex, cancel))
        {
            return RegistryClient.Describe(ex);
        }
        if (ingest.Size >= 0 && ingest.Offset < ingest.Size) return $"connection closed at byte {ingest.Offset} of {ingest.Size}";
        return null;
    }
}
