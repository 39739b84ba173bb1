using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Tests.Support;

/// <summary>A content store for one test (edge --store DIR), with the checks a user would make of it.</summary>
public sealed class TestStore : IDisposable
{
    private readonly TempDir _dir = new("edge-store-");

    private readonly bool _noOpenat2;

    /// <summary>A store with the busybox sample image loaded (`edge load`).</summary>
    public static TestStore WithSampleImage()
    {
        var store = new TestStore();
        ProcessResult load = store.Edge("load", SampleImages.Archive);
        if (load.ExitCode != 0) throw new System.InvalidOperationException("edge load of the sample image failed: " + load);
        return store;
    }

    /// <param name="noOpenat2">Makes edge resolve paths with its fallback for kernels without openat2.</param>
    public TestStore(bool noOpenat2 = false)
    {
        Root = _dir.Combine("store");
        _noOpenat2 = noOpenat2;
    }

    public string Root { get; }

    /// <summary>Runs `edge --store ROOT ARGS...`, with an empty HOME so no real credentials are read.</summary>
    public ProcessResult Edge(params string[] args) => EdgeEnv(new Dictionary<string, string?>(), args);

    public ProcessResult EdgeEnv(Dictionary<string, string?> environment, params string[] args)
    {
        environment.TryAdd("HOME", _dir.Path);
        environment.TryAdd("REGISTRY_AUTH_FILE", null);
        environment.TryAdd("DOCKER_CONFIG", null);
        if (_noOpenat2) environment["EDGE_NO_OPENAT2"] = "1";
        return EdgeProcess.Run(EdgeProcess.Binary, new[] { "--store", Root }.Concat(args).ToArray(), environment: environment, timeoutMs: 120_000);
    }

    public string Combine(params string[] parts) => _dir.Combine(parts);

    /// <summary>
    /// Starts `edge --store ROOT --root ROOT/state run ARGS...` without waiting, with its stdio redirected
    /// (a foreground run as a unit's main process has it), plus <paramref name="environment"/>.
    /// </summary>
    public System.Diagnostics.Process StartRun(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(EdgeProcess.Binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "--store", Root, "--root", Combine("state"), "run" }.Concat(args)) info.ArgumentList.Add(a);
        info.Environment["HOME"] = _dir.Path;
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return System.Diagnostics.Process.Start(info)!;
    }

    /// <summary>images.json's records, or none.</summary>
    public List<JsonNode> Images()
    {
        string path = Path.Combine(Root, "images.json");
        if (!File.Exists(path)) return new List<JsonNode>();
        return JsonNode.Parse(File.ReadAllText(path))!["images"]!.AsArray().Select(n => n!).ToList();
    }

    public JsonNode Image(string name) => Images().Single(i => (string)i["name"]! == name);

    public IEnumerable<string> BlobDigests() => Directory.Exists(Path.Combine(Root, "blobs", "sha256"))
        ? Directory.GetFiles(Path.Combine(Root, "blobs", "sha256")).Select(f => "sha256:" + Path.GetFileName(f))
        : Enumerable.Empty<string>();

    public bool Has(string digest) => File.Exists(Path.Combine(Root, "blobs", "sha256", digest[7..]));

    public string[] Partials() => Directory.Exists(Path.Combine(Root, "ingest")) ? Directory.GetFiles(Path.Combine(Root, "ingest"), "*.partial") : Array.Empty<string>();

    /// <summary>
    /// The store invariants: every blob's content matches its name, images.json parses, and everything a
    /// named image refers to (manifest, config, layers) is present.
    /// </summary>
    public void AssertConsistent()
    {
        foreach (string digest in BlobDigests())
        {
            string actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Root, "blobs", "sha256", digest[7..]))));
            Assert.True(actual == digest, $"blob {digest} has content {actual}");
        }
        foreach (JsonNode image in Images())
        {
            string manifest = (string)image["manifest"]!;
            Assert.True(Has((string)image["digest"]!), $"image {image["name"]}: top document missing");
            Assert.True(Has(manifest), $"image {image["name"]}: manifest missing");
            JsonNode m = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "blobs", "sha256", manifest[7..])))!;
            Assert.True(Has((string)m["config"]!["digest"]!), $"image {image["name"]}: config missing");
            foreach (JsonNode? layer in m["layers"]!.AsArray())
                Assert.True(Has((string)layer!["digest"]!), $"image {image["name"]}: layer {layer["digest"]} missing");
        }
    }

    /// <summary>Unmounts what a failed test may have left mounted under the store, then deletes it.</summary>
    public void Dispose()
    {
        foreach (string line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            string mountPoint = line.Split(' ')[4];
            if (mountPoint.StartsWith(_dir.Path, StringComparison.Ordinal)) EdgeProcess.Run("umount", new[] { "-l", mountPoint });
        }
        _dir.Dispose();
    }
}
