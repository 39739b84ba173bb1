using System;
using System.Linq;
using System.Text;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>
/// Pulls through a proxy that breaks responses on purpose: the pull retries what is worth retrying, resumes
/// rather than restarts, refuses wrong content, and leaves nothing partial visible in the store.
/// </summary>
public class FaultTests : IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _registry;

    public FaultTests(RegistryFixture registry) => _registry = registry;

    private string BigLayer()
    {
        string manifest = EdgeProcess.Run("skopeo", new[] { "inspect", "--tls-verify=false", "--raw", $"docker://{_registry.Busybox}" }).Stdout;
        var layers = System.Text.Json.Nodes.JsonNode.Parse(manifest)!["layers"]!.AsArray();
        return (string)layers.OrderByDescending(l => (long)l!["size"]!).First()!["digest"]!;
    }

    private static bool IsBlob(MiniRequest r, string digest) => r.Target.EndsWith("/blobs/" + digest, StringComparison.Ordinal);

    [Fact]
    public void ConnectionCutMidLayerResumesWithRange()
    {
        string layer = BigLayer();
        using var store = new TestStore();
        int calls = 0;
        using var proxy = new FaultyProxy(_registry.Registry.Authority)
        {
            Faults = r => IsBlob(r, layer) && System.Threading.Interlocked.Increment(ref calls) == 1 ? new Fault.CutAfter(300_000) : null,
        };
        ProcessResult result = store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1");
        Assert.True(result.ExitCode == 0, result.ToString());
        store.AssertConsistent();

        var gets = proxy.Requests.Where(r => r.Path.EndsWith(layer)).ToList();
        Assert.Equal(2, gets.Count);
        ProxiedRequest first = gets.Single(g => g.Range is null), second = gets.Single(g => g.Range is not null);
        Assert.Equal(300_000, first.BytesSent);
        Assert.Equal("bytes=300000-", second.Range);
        long size = new System.IO.FileInfo(System.IO.Path.Combine(store.Root, "blobs", "sha256", layer[7..])).Length;
        // Nothing was sent twice: the second request carried only the rest.
        Assert.Equal(size, first.BytesSent + second.BytesSent);
    }

    [Fact]
    public void ServerErrorThenSuccessIsRetried()
    {
        using var store = new TestStore();
        int manifestCalls = 0, blobCalls = 0;
        using var proxy = new FaultyProxy(_registry.Registry.Authority)
        {
            Faults = r =>
                r.Target.Contains("/manifests/") && System.Threading.Interlocked.Increment(ref manifestCalls) == 1 ? new Fault.Status(500)
                : r.Target.Contains("/blobs/") && System.Threading.Interlocked.Increment(ref blobCalls) <= 2 ? new Fault.Status(503)
                : null,
        };
        ProcessResult result = store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1");
        Assert.True(result.ExitCode == 0, result.ToString());
        store.AssertConsistent();
        Assert.Equal(2, proxy.Requests.Count(r => r.Path.Contains("/manifests/")));
        Assert.Equal(2, proxy.Requests.Count(r => r.Status == 503));
    }

    [Fact]
    public void TooManyRequestsHonoursRetryAfterThenGivesUp()
    {
        using var store = new TestStore();
        int calls = 0;
        using var proxy = new FaultyProxy(_registry.Registry.Authority)
        {
            Faults = r => r.Target.Contains("/manifests/") && System.Threading.Interlocked.Increment(ref calls) == 1 ? new Fault.Status(429, ("Retry-After", "1")) : null,
        };
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1").ExitCode);
        Assert.True(started.ElapsedMilliseconds >= 1000, "Retry-After: 1 was not waited for");

        using var limited = new TestStore();
        using var always = new FaultyProxy(_registry.Registry.Authority) { Faults = _ => new Fault.Status(429, ("Retry-After", "0")) };
        ProcessResult result = limited.Edge("pull", $"{always.Authority}/edge/busybox:v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {always.Authority}/edge/busybox:v1: too many requests (rate limited) (429 INJECTED: injected by the test proxy)\n", result.Stderr);
        Assert.Equal(6, always.Requests.Count);
        Assert.False(System.IO.Directory.Exists(System.IO.Path.Combine(limited.Root, "blobs", "sha256")) && limited.BlobDigests().Any());
    }

    [Fact]
    public void CorruptLayerIsRefusedAndNotStored()
    {
        string layer = BigLayer();
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority) { Faults = r => IsBlob(r, layer) ? new Fault.Corrupt() : null };
        ProcessResult result = store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"edge: {proxy.Authority}/edge/busybox:v1: layer blob {layer}: content has digest sha256:", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(store.Has(layer));
        Assert.Empty(store.Images());
        // The bad layer's bytes are gone; downloads the failure cancelled keep theirs for a resume.
        Assert.DoesNotContain(store.Partials(), p => p.Contains(layer[7..]));
        store.AssertConsistent();
    }

    [Fact]
    public void ManifestWithWrongDigestHeaderIsRefused()
    {
        using var store = new TestStore();
        string fake = "sha256:" + new string('a', 64);
        byte[] manifest = Encoding.UTF8.GetBytes(EdgeProcess.Run("skopeo", new[] { "inspect", "--tls-verify=false", "--raw", $"docker://{_registry.Busybox}" }).Stdout.TrimEnd('\n'));
        // A body that is not the manifest the digest header names: edge refuses it.
        using var lying = new MiniHttpServer(async (r, s) =>
        {
            if (r.Target == "/v2/") { await MiniHttpServer.WriteResponse(s, 200, "application/json", "{}"u8.ToArray()); return; }
            await MiniHttpServer.WriteResponse(s, 200, "application/vnd.oci.image.manifest.v1+json", manifest, ("Docker-Content-Digest", fake));
        });
        ProcessResult result = store.Edge("pull", $"{lying.Authority}/edge/busybox:v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the registry's Docker-Content-Digest says {fake}", result.Stderr);
        Assert.Empty(store.Images());
        Assert.Empty(store.BlobDigests());
    }

    [Fact]
    public void ManifestTooLargeAndUnknownMediaTypeAreRefused()
    {
        using var store = new TestStore();
        byte[] huge = new byte[5 << 20];
        Array.Fill(huge, (byte)' ');
        huge[0] = (byte)'{';
        huge[^1] = (byte)'}';
        using var proxy = new FaultyProxy(_registry.Registry.Authority)
        {
            Faults = r => r.Target.Contains("/manifests/big") ? new Fault.Replace(200, "application/vnd.oci.image.manifest.v1+json", huge)
                : r.Target.Contains("/manifests/odd") ? new Fault.Replace(200, "application/vnd.example.thing+json", "{\"mediaType\":\"application/vnd.example.thing+json\"}"u8.ToArray())
                : null,
        };
        ProcessResult big = store.Edge("pull", $"{proxy.Authority}/edge/busybox:big");
        Assert.Equal(1, big.ExitCode);
        Assert.Equal($"edge: {proxy.Authority}/edge/busybox:big: manifest is {huge.Length} bytes, more than the {4 << 20} bytes allowed\n", big.Stderr);

        ProcessResult odd = store.Edge("pull", $"{proxy.Authority}/edge/busybox:odd");
        Assert.Equal(1, odd.ExitCode);
        Assert.Equal($"edge: {proxy.Authority}/edge/busybox:odd: unsupported manifest media type \"application/vnd.example.thing+json\"\n", odd.Stderr);
        Assert.Empty(store.Images());
        Assert.Empty(store.BlobDigests());
    }

    [Theory]
    [InlineData(401, "unauthorized (check the credentials for {0})")]
    [InlineData(403, "access denied")]
    [InlineData(404, "manifest not found")]
    public void ErrorStatusesAreOneLine(int status, string meaning)
    {
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority) { Faults = r => r.Target.Contains("/manifests/") ? new Fault.Status(status) : null };
        ProcessResult result = store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {proxy.Authority}/edge/busybox:v1: {string.Format(meaning, proxy.Authority)} ({status} INJECTED: injected by the test proxy)\n", result.Stderr);
        Assert.Empty(store.Images());
    }

    [Fact]
    public void StalledTransferTimesOutAndResumes()
    {
        string layer = BigLayer();
        using var store = new TestStore();
        int calls = 0;
        using var proxy = new FaultyProxy(_registry.Registry.Authority)
        {
            Faults = r => IsBlob(r, layer) && System.Threading.Interlocked.Increment(ref calls) == 1 ? new Fault.StallAfter(200_000, 5_000) : null,
        };
        ProcessResult result = store.Edge("pull", "--stall-timeout", "1", $"{proxy.Authority}/edge/busybox:v1");
        Assert.True(result.ExitCode == 0, result.ToString());
        store.AssertConsistent();
        Assert.Contains(proxy.Requests, r => r.Range == "bytes=200000-");
    }

    [Fact]
    public void SlowBodiesStillComplete()
    {
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority) { Faults = r => r.Target.Contains("/blobs/") ? new Fault.Slow(128 << 10, 30) : null };
        ProcessResult result = store.Edge("pull", $"{proxy.Authority}/edge/busybox:v1");
        Assert.True(result.ExitCode == 0, result.ToString());
        store.AssertConsistent();
    }
}
