using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>The store under stress: kill -9 mid-pull, a full disk, removal and pruning.</summary>
public class StoreTests : IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _registry;

    public StoreTests(RegistryFixture registry) => _registry = registry;

    /// <summary>A partial download's size; 0 once it has been completed (renamed) between listing and looking.</summary>
    private static long SizeOf(string partial)
    {
        var info = new FileInfo(partial);
        return info.Exists ? info.Length : 0;
    }

    [Fact]
    public void KillNineAtAnyMomentLeavesAConsistentStore()
    {
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority) { Faults = r => r.Target.Contains("/blobs/") ? new Fault.Slow(32 << 10, 15) : null };
        string reference = $"{proxy.Authority}/edge/busybox:v1";
        Process StartPull()
        {
            var info = new ProcessStartInfo(EdgeProcess.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "--store", store.Root, "pull", reference }) info.ArgumentList.Add(a);
            info.Environment["HOME"] = store.Combine();
            return Process.Start(info)!;
        }
        // First a kill that surely lands inside the big layer (1 MB, sent slowly): once its partial download
        // holds 64 KiB (the small blobs never get that far).
        using (Process pull = StartPull())
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && !store.Partials().Any(p => SizeOf(p) > 64 * 1024)) Thread.Sleep(5);
            pull.Kill();
            pull.WaitForExit();
        }
        Assert.Contains(store.Partials(), p => SizeOf(p) > 64 * 1024);
        store.AssertConsistent();
        // Then kills at random moments.
        var random = new Random(42);
        for (int round = 0; round < 6; round++)
        {
            using Process pull = StartPull();
            Thread.Sleep(random.Next(20, 500));
            pull.Kill();
            pull.WaitForExit();
            store.AssertConsistent();
            Assert.True(store.Images().Count == 0 || store.Images().Count == 1);
        }
        // The interrupted downloads are resumed, not restarted: some request carried a Range.
        ProcessResult finish = store.Edge("pull", reference);
        Assert.True(finish.ExitCode == 0, finish.ToString());
        store.AssertConsistent();
        Assert.Contains(proxy.Requests, r => r.Range is not null);
        Assert.Empty(store.Partials());
    }

    [Fact]
    public void FullDiskIsOneLineAndLeavesNothingVisible()
    {
        using var dir = new TempDir("edge-tmpfs-");
        Assert.Equal(0, EdgeProcess.Run("mount", new[] { "-t", "tmpfs", "-o", "size=400k", "tmpfs", dir.Path }).ExitCode);
        try
        {
            string root = Path.Combine(dir.Path, "store");
            ProcessResult result = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--store", root, "pull", _registry.Busybox });
            Assert.Equal(1, result.ExitCode);
            Assert.Matches($"^edge: store {root}: no space left on device while writing blob sha256:[0-9a-f]{{64}}\n$", result.Stderr);
            Assert.False(File.Exists(Path.Combine(root, "images.json")));
            // The blob that hit the full disk gave its space back (downloads it cancelled may keep theirs).
            string failed = result.Stderr.TrimEnd()[^64..];
            Assert.False(File.Exists(Path.Combine(root, "ingest", $"sha256-{failed}.partial")));
            Assert.False(File.Exists(Path.Combine(root, "blobs", "sha256", failed)));
        }
        finally
        {
            EdgeProcess.Run("umount", new[] { dir.Path });
        }
    }

    [Fact]
    public void RmiKeepsSharedBlobsAndPruneRemovesOrphans()
    {
        using var store = new TestStore();
        Assert.Equal(0, store.Edge("pull", _registry.Busybox).ExitCode);
        Assert.Equal(0, store.Edge("load", SampleImages.Archive).ExitCode);
        int blobs = store.BlobDigests().Count();
        Assert.Equal(4, blobs); // the same image under two names: one set of blobs

        ProcessResult rmi = store.Edge("rmi", _registry.Busybox);
        Assert.Equal($"Untagged: {_registry.Busybox}\n", rmi.Stdout);
        Assert.Equal(blobs, store.BlobDigests().Count());
        store.AssertConsistent();

        // An orphan blob and a stale partial download go with prune.
        Directory.CreateDirectory(Path.Combine(store.Root, "ingest"));
        File.WriteAllBytes(Path.Combine(store.Root, "ingest", "sha256-" + new string('b', 64) + ".partial"), new byte[1000]);
        byte[] orphan = "orphan"u8.ToArray();
        File.WriteAllBytes(Path.Combine(store.Root, "blobs", "sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(orphan))), orphan);
        ProcessResult prune = store.Edge("prune");
        Assert.Equal("Deleted 1 blobs, 1 partial downloads and 0 snapshots; reclaimed 1.01kB\n", prune.Stdout);
        Assert.Equal(blobs, store.BlobDigests().Count());

        ProcessResult last = store.Edge("rmi", "localhost/edge-samples/busybox");
        Assert.Equal(0, last.ExitCode);
        Assert.StartsWith("Untagged: localhost/edge-samples/busybox:latest\nDeleted: 4 blobs", last.Stdout);
        Assert.Empty(store.BlobDigests());

        ProcessResult missing = store.Edge("rmi", "nothere");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("edge: image \"nothere\" not found\n", missing.Stderr);
    }

    [Fact]
    public void ImagesJsonAndInspectByShortDigest()
    {
        using var store = new TestStore();
        Assert.Equal(0, store.Edge("load", SampleImages.Archive).ExitCode);
        JsonNode list = JsonNode.Parse(store.Edge("images", "--format", "json").Stdout)!;
        string digest = (string)list[0]!["digest"]!;
        Assert.Equal(SampleImages.Name, (string)list[0]!["name"]!);
        Assert.Equal(SampleImages.Name + "\n", store.Edge("images", "-q").Stdout);
        ProcessResult inspect = store.Edge("inspect", digest[7..19]);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(digest, (string)JsonNode.Parse(inspect.Stdout)!["digest"]!);
        ProcessResult missing = store.Edge("inspect", "busybox:nope");
        Assert.Equal($"edge: image \"busybox:nope\" not found in the store {store.Root}\n", missing.Stderr);
    }
}
