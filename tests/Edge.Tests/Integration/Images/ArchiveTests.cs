using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>Offline images: `edge load` of OCI layouts (directory, tar, tar.gz) and docker save archives, and
/// `edge save` to an OCI archive that skopeo reads back with the same digests.</summary>
public class ArchiveTests
{
    private static string Digest(string layout) =>
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!["manifests"]![0]!["digest"]!;

    [Fact]
    public void LoadsLayoutDirectoryTarAndGzip()
    {
        string expected = Digest(SampleImages.Layout);
        using var store = new TestStore();
        foreach (string source in new[] { SampleImages.Layout, SampleImages.Archive })
        {
            ProcessResult load = store.Edge("load", source);
            Assert.True(load.ExitCode == 0, load.ToString());
            Assert.Equal($"Loaded image: {SampleImages.Name}\n", load.Stdout);
            Assert.Equal(expected, (string)store.Image(SampleImages.Name)["digest"]!);
        }
        string gz = store.Combine("image.tar.gz");
        using (var input = File.OpenRead(SampleImages.Archive))
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            input.CopyTo(output);
        using var second = new TestStore();
        Assert.Equal(0, second.Edge("load", "-i", gz).ExitCode);
        second.AssertConsistent();
        Assert.Empty(second.Partials());
        Assert.Empty(Directory.GetFiles(Path.Combine(second.Root, "ingest")));
    }

    [Fact]
    public void SaveRoundTripsAndSkopeoAgrees()
    {
        using var store = new TestStore();
        Assert.Equal(0, store.Edge("load", SampleImages.Archive).ExitCode);
        string file = store.Combine("saved.tar");
        ProcessResult save = store.Edge("save", SampleImages.Name, file);
        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.Equal("", save.Stdout);

        ProcessResult skopeo = EdgeProcess.Run("skopeo", new[] { "inspect", "--format", "{{.Digest}}", $"oci-archive:{file}" });
        Assert.True(skopeo.ExitCode == 0, skopeo.ToString());
        Assert.Equal(Digest(SampleImages.Layout), skopeo.Stdout.Trim());

        using var other = new TestStore();
        ProcessResult load = other.Edge("load", file);
        Assert.Equal($"Loaded image: {SampleImages.Name}\n", load.Stdout);
        Assert.Equal(store.Image(SampleImages.Name)["digest"]!.ToJsonString(), other.Image(SampleImages.Name)["digest"]!.ToJsonString());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, ".*tmp"));
    }

    [Fact]
    public void LoadsDockerSaveArchive()
    {
        // A `docker save` archive in the classic layout: <id>/layer.tar (uncompressed), <hex>.json config,
        // manifest.json with RepoTags; made here from the sample's OCI layout.
        string layout = SampleImages.Layout;
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", Digest(layout)[7..])))!;
        string configHex = ((string)manifest["config"]!["digest"]!)[7..];
        using var store = new TestStore();
        string archive = store.Combine("docker-save.tar");
        var layerPaths = new JsonArray();
        using (var output = File.Create(archive))
        using (var tar = new TarWriter(output, TarEntryFormat.Ustar))
        {
            tar.WriteEntry(Path.Combine(layout, "blobs", "sha256", configHex), configHex + ".json");
            int n = 0;
            foreach (JsonNode? layer in manifest["layers"]!.AsArray())
            {
                string id = $"{++n:x64}";
                var plain = new MemoryStream();
                using (var gz = new GZipStream(File.OpenRead(Path.Combine(layout, "blobs", "sha256", ((string)layer!["digest"]!)[7..])), CompressionMode.Decompress))
                    gz.CopyTo(plain);
                plain.Position = 0;
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{id}/layer.tar") { DataStream = plain });
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{id}/VERSION") { DataStream = new MemoryStream("1.0"u8.ToArray()) });
                layerPaths.Add($"{id}/layer.tar");
            }
            var entries = new JsonArray(new JsonObject { ["Config"] = configHex + ".json", ["RepoTags"] = new JsonArray("example/app:1.0"), ["Layers"] = layerPaths });
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(entries.ToJsonString())) });
        }

        ProcessResult load = store.Edge("load", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal("Loaded image: docker.io/example/app:1.0\n", load.Stdout);
        store.AssertConsistent();
        JsonNode inspect = JsonNode.Parse(store.Edge("inspect", "example/app:1.0").Stdout)!;
        Assert.Equal("sha256:" + configHex, (string)inspect["configDigest"]!);
        var layers = inspect["manifest"]!["layers"]!.AsArray();
        Assert.Equal(2, layers.Count);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar", (string)l!["mediaType"]!));
        // The uncompressed layers' digests are the config's diff_ids: the same content as the OCI image.
        var diffIds = inspect["config"]!["rootfs"]!["diff_ids"]!.AsArray().Select(d => (string)d!).ToList();
        Assert.Equal(diffIds, layers.Select(l => (string)l!["digest"]!).ToList());
    }

    [Fact]
    public void CorruptBlobInArchiveIsRefused()
    {
        using var store = new TestStore();
        string dir = store.Combine("layout");
        EdgeProcess.Run("cp", new[] { "-a", SampleImages.Layout, dir });
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "blobs", "sha256", Digest(dir)[7..])))!;
        string layer = (string)manifest["layers"]![1]!["digest"]!;
        string path = Path.Combine(dir, "blobs", "sha256", layer[7..]);
        byte[] content = File.ReadAllBytes(path);
        content[^1] ^= 1;
        File.WriteAllBytes(path, content);
        ProcessResult load = store.Edge("load", dir);
        Assert.Equal(1, load.ExitCode);
        Assert.StartsWith($"edge: {dir}: blobs/sha256/{layer[7..]}: blob {layer}: content has digest sha256:", load.Stderr);
        Assert.Empty(store.Images());
        Assert.False(store.Has(layer));
    }

    [Fact]
    public void NotAnArchiveAndUnnamedImagesAreExplained()
    {
        using var store = new TestStore();
        string junk = store.Combine("junk.tar");
        File.WriteAllText(junk, "this is not a tar file at all, but it is long enough to look at" + new string('x', 600));
        ProcessResult bad = store.Edge("load", junk);
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith($"edge: {junk}: not a valid image archive (tar)", bad.Stderr);

        string dir = store.Combine("unnamed");
        EdgeProcess.Run("cp", new[] { "-a", SampleImages.Layout, dir });
        string index = File.ReadAllText(Path.Combine(dir, "index.json")).Replace(SampleImages.Name, "v2");
        File.WriteAllText(Path.Combine(dir, "index.json"), index);
        ProcessResult unnamed = store.Edge("load", dir);
        Assert.Equal(1, unnamed.ExitCode);
        Assert.Equal($"edge: {dir}: index.json: $.manifests[0]: the image has only a tag (\"v2\"); give it one with --name REPOSITORY[:TAG]\n", unnamed.Stderr);
        ProcessResult named = store.Edge("load", "--name", "example/sample", dir);
        Assert.Equal("Loaded image: docker.io/example/sample:v2\n", named.Stdout);
    }
}
