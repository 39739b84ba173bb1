using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Tests.Support;

/// <summary>
/// The sample images the image tests use, built from rootfs-samples with umoci: the two-layer busybox
/// image (build.sh test makes it: out/samples/busybox-image), and a multi-platform index over an amd64 and
/// an arm64 build of it (made here once per run).
/// </summary>
public static class SampleImages
{
    public const string Name = "localhost/edge-samples/busybox:latest";
    private static readonly object Gate = new();
    private static string? _multi;

    /// <summary>The OCI layout directory; its archive is the same path + ".tar".</summary>
    public static string Layout
    {
        get
        {
            lock (Gate)
            {
                string path = Path.Combine(EdgeProcess.SamplesDirectory, "busybox-image");
                if (!File.Exists(Path.Combine(path, "index.json"))) Build(path, Name, "amd64");
                return path;
            }
        }
    }

    public static string Archive => Layout + ".tar";

    /// <summary>skopeo's name for the single-platform sample.</summary>
    public static string SkopeoSource => $"oci:{Layout}:{Name}";

    /// <summary>An OCI layout whose ref "multi" is an index with linux/amd64 and linux/arm64/v8 entries.</summary>
    public static string MultiPlatformLayout
    {
        get
        {
            lock (Gate)
            {
                if (_multi is not null) return _multi;
                string root = Path.Combine(EdgeProcess.SamplesDirectory, "busybox-multi");
                string arm = root + "-arm64";
                Build(arm, "localhost/edge-samples/busybox:arm64", "arm64");
                if (Directory.Exists(root)) Directory.Delete(root, true);
                EdgeProcess.Run("cp", new[] { "-a", Layout, root });
                EdgeProcess.Run("cp", new[] { "-a", "-n", Path.Combine(arm, "blobs"), root });
                JsonNode amdEntry = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "index.json")))!["manifests"]![0]!;
                JsonNode armEntry = JsonNode.Parse(File.ReadAllText(Path.Combine(arm, "index.json")))!["manifests"]![0]!;
                var index = new JsonObject
                {
                    ["schemaVersion"] = 2,
                    ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                    ["manifests"] = new JsonArray(
                        Entry(amdEntry, new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" }),
                        Entry(armEntry, new JsonObject { ["architecture"] = "arm64", ["os"] = "linux", ["variant"] = "v8" })),
                };
                byte[] indexBytes = Encoding.UTF8.GetBytes(index.ToJsonString());
                string hex = Convert.ToHexStringLower(SHA256.HashData(indexBytes));
                File.WriteAllBytes(Path.Combine(root, "blobs", "sha256", hex), indexBytes);
                File.WriteAllText(Path.Combine(root, "index.json"), new JsonObject
                {
                    ["schemaVersion"] = 2,
                    ["manifests"] = new JsonArray(new JsonObject
                    {
                        ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                        ["digest"] = "sha256:" + hex,
                        ["size"] = indexBytes.Length,
                        ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "multi" },
                    }),
                }.ToJsonString());
                Directory.Delete(arm, true);
                File.Delete(arm + ".tar");
                _multi = root;
                return root;
            }
        }
    }

    /// <summary>The manifest digests of the multi-platform sample by platform.</summary>
    public static (string Amd64, string Arm64, string Index) MultiDigests()
    {
        JsonNode top = JsonNode.Parse(File.ReadAllText(Path.Combine(MultiPlatformLayout, "index.json")))!["manifests"]![0]!;
        string indexDigest = (string)top["digest"]!;
        JsonNode index = JsonNode.Parse(File.ReadAllText(Path.Combine(MultiPlatformLayout, "blobs", "sha256", indexDigest[7..])))!;
        return ((string)index["manifests"]![0]!["digest"]!, (string)index["manifests"]![1]!["digest"]!, indexDigest);
    }

    private static JsonObject Entry(JsonNode source, JsonObject platform) => new()
    {
        ["mediaType"] = (string)source["mediaType"]!,
        ["digest"] = (string)source["digest"]!,
        ["size"] = (long)source["size"]!,
        ["platform"] = platform,
    };

    private static void Build(string output, string name, string arch)
    {
        ProcessResult result = EdgeProcess.Run("bash", new[] { Path.Combine(EdgeProcess.RepoRoot, "rootfs-samples", "build-image.sh"), output, name, arch },
            environment: new System.Collections.Generic.Dictionary<string, string?> { ["EDGE_SAMPLE_ROOTFS"] = Path.Combine(EdgeProcess.SamplesDirectory, "busybox", "rootfs") },
            timeoutMs: 120_000);
        if (result.ExitCode != 0) throw new InvalidOperationException("building the sample image failed: " + result);
    }
}
