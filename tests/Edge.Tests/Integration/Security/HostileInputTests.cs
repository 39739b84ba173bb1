using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Security;

/// <summary>
/// The image store and the image input, attacked for real (docs/security.md): a local user after what the
/// store holds, archives whose members point out of them, layers that expand without end or fill the disk,
/// registries that send too much, too slowly, or ask for credentials in clear text, and input that would
/// make edge print .NET resource keys, control characters or megabytes.
/// </summary>
[Collection("containers")]
public class HostileInputTests
{
    private const int Nobody = 65534;

    // ---- a local user and the store ------------------------------------------------------------------------

    /// <summary>Prints its effective uid: made setuid root, it shows whether running it gave root.</summary>
    private const string WhoAmI = """
        #include <stdio.h>
        #include <unistd.h>
        int main(void) { printf("euid %d\n", (int)geteuid()); return 0; }
        """;

    /// <summary>
    /// An image with a setuid-root program and a world-writable block device node, loaded, run (its overlay
    /// mounted) and unpacked by root: an unprivileged local user can neither run the program (euid 0) nor
    /// open the node, wherever edge keeps them, whatever the umask edge ran with. The control: the same
    /// program, setuid root in a directory the user can reach, does give root.
    /// </summary>
    [Fact]
    public void LocalUsersReachNothingTheStoreHolds()
    {
        using var work = new TempDir("edge-local-");
        File.SetUnixFileMode(work.Path, (UnixFileMode)0x1ed); // like /var/lib: anyone may traverse it
        File.WriteAllText(work.Combine("whoami.c"), WhoAmI);
        StaticProgram.Compile(work.Combine("whoami"));

        // The positive control: reachable, the program does what the attack wants.
        string open = work.Combine("open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0x1ed);
        File.Copy(work.Combine("whoami"), Path.Combine(open, "whoami"));
        File.SetUnixFileMode(Path.Combine(open, "whoami"), (UnixFileMode)0x9ed); // 04755
        Assert.Equal("euid 0\n", AsNobody(Path.Combine(open, "whoami")).Stdout);

        byte[] layer = TarWithProgram(File.ReadAllBytes(work.Combine("whoami")));
        string layout = LayerBuilder.Layout(work.Combine("layout"), "suid", layer);
        string storeRoot = work.Combine("store");
        ProcessResult Edge(params string[] args) =>
            EdgeProcess.Run("sh", new[] { "-c", "umask 000; exec \"$@\"", "sh", EdgeProcess.Binary, "--store", storeRoot }.Concat(args).ToArray(), timeoutMs: 120_000);
        Assert.Equal(0, Edge("load", "--name", "example/suid:1", layout).ExitCode);
        string name = $"local-{Environment.ProcessId}";
        ProcessResult run = Edge("run", "-d", "--name", name, "example/suid:1", "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        string bundle = work.Combine("bundle");
        try
        {
            Assert.Equal(0, Edge("unpack", "example/suid:1", bundle).ExitCode);
            var programs = new List<string>(Directory.GetFiles(Path.Combine(storeRoot, "snapshots"), "suid", SearchOption.AllDirectories))
            {
                Path.Combine(storeRoot, "containers", name, "rootfs", "bin", "suid"),
                Path.Combine(bundle, "rootfs", "bin", "suid"),
            };
            Assert.Equal(3, programs.Count);
            foreach (string path in programs)
            {
                Assert.Equal("euid 0\n", EdgeProcess.Run(path, Array.Empty<string>()).Stdout); // root can: the file is the program
                ProcessResult attempt = AsNobody(path);
                Assert.True(attempt.ExitCode != 0, $"{path}: {attempt}");
                Assert.DoesNotContain("euid 0", attempt.Stdout);
            }
            foreach (string node in Directory.GetFiles(storeRoot, "disk", SearchOption.AllDirectories).Append(Path.Combine(bundle, "rootfs", "dev", "disk")))
                Assert.Contains("Permission denied", AsNobody("/bin/sh", "-c", $"exec 3< '{node}'").Stderr);
            Assert.Contains("Permission denied", AsNobody("/bin/ls", Path.Combine(storeRoot, "blobs", "sha256")).Stderr);
            foreach (string dir in new[] { storeRoot, bundle })
                Assert.Equal((UnixFileMode)0x1c0, File.GetUnixFileMode(dir)); // 0700, though edge ran with umask 000
        }
        finally
        {
            Edge("rm", "--force", name);
        }
    }

    /// <summary>A store an older edge left open (0755) is narrowed to 0700 the next time edge uses it.</summary>
    [Fact]
    public void AnOpenStoreIsNarrowed()
    {
        using var store = new TestStore();
        Directory.CreateDirectory(store.Root);
        Directory.CreateDirectory(Path.Combine(store.Root, "snapshots"));
        File.SetUnixFileMode(store.Root, (UnixFileMode)0x1ed);
        File.SetUnixFileMode(Path.Combine(store.Root, "snapshots"), (UnixFileMode)0x1ed);
        Assert.Equal(0, store.Edge("load", SampleImages.Archive).ExitCode);
        Assert.Equal(0, store.Edge("run", "--rm", SampleImages.Name, "true").ExitCode);
        Assert.Equal((UnixFileMode)0x1c0, File.GetUnixFileMode(store.Root));
        Assert.Equal((UnixFileMode)0x1c0, File.GetUnixFileMode(Path.Combine(store.Root, "snapshots")));
    }

    private static byte[] TarWithProgram(byte[] program)
    {
        var output = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(output, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (string dir in new[] { "bin", "dev", "tmp", "proc", "sys" })
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, dir) { Mode = (UnixFileMode)0x1ed });
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "bin/suid")
            {
                Mode = (UnixFileMode)0x9ed, DataStream = new MemoryStream(program),
            });
            foreach (string tool in new[] { "sleep", "sh" })
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "bin/" + tool)
                {
                    Mode = (UnixFileMode)0x1ed, DataStream = File.OpenRead("/bin/busybox"),
                });
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.BlockDevice, "dev/disk")
            {
                Mode = (UnixFileMode)0x1b6, DeviceMajor = 7, DeviceMinor = 0,
            });
        }
        return output.ToArray();
    }

    /// <summary>
    /// PROGRAM ARGS run by a shell that is already nobody (setpriv itself would look the program up while
    /// still root, and so reach paths nobody cannot).
    /// </summary>
    private static ProcessResult AsNobody(string program, params string[] args) =>
        EdgeProcess.Run("setpriv", new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--inh-caps=-all", "/bin/sh", "-c", "exec \"$@\"", "sh", program }.Concat(args).ToArray());

    // ---- edge load of a directory ----------------------------------------------------------------------

    /// <summary>
    /// The sample image as an unpacked `docker save` directory: config, one uncompressed layer.tar per layer
    /// (each layer's diff_id), manifest.json. <paramref name="layerFile"/> may replace how the first layer's
    /// file is written (a symlink, say).
    /// </summary>
    private static string DockerSaveDirectory(string dir, Action<string>? firstLayer = null)
    {
        string layout = SampleImages.Layout;
        JsonNode index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        string top = (string)index["manifests"]![0]!["digest"]!;
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", top[7..])))!;
        string configHex = ((string)manifest["config"]!["digest"]!)[7..];
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(layout, "blobs", "sha256", configHex), Path.Combine(dir, configHex + ".json"));
        var layerPaths = new JsonArray();
        int n = 0;
        foreach (JsonNode? layer in manifest["layers"]!.AsArray())
        {
            string id = $"{++n:x64}";
            Directory.CreateDirectory(Path.Combine(dir, id));
            string file = Path.Combine(dir, id, "layer.tar");
            if (n == 1 && firstLayer is not null) firstLayer(file);
            else
            {
                using var gz = new GZipStream(File.OpenRead(Path.Combine(layout, "blobs", "sha256", ((string)layer!["digest"]!)[7..])), CompressionMode.Decompress);
                using var plain = File.Create(file);
                gz.CopyTo(plain);
            }
            layerPaths.Add($"{id}/layer.tar");
        }
        File.WriteAllText(Path.Combine(dir, "manifest.json"),
            new JsonArray(new JsonObject { ["Config"] = configHex + ".json", ["RepoTags"] = new JsonArray("example/app:1.0"), ["Layers"] = layerPaths }).ToJsonString());
        return dir;
    }

    private static string Secret(TempDir dir)
    {
        string secret = dir.Combine("secret");
        File.WriteAllText(secret, "host secret " + Guid.NewGuid());
        return secret;
    }

    [Fact]
    public void LoadOfAPlainDockerSaveDirectoryWorks()
    {
        using var store = new TestStore();
        string dir = DockerSaveDirectory(store.Combine("saved"));
        ProcessResult load = store.Edge("load", dir);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal("Loaded image: docker.io/example/app:1.0\n", load.Stdout);
    }

    /// <summary>
    /// A layer file that is an absolute symlink, a relative one that climbs out, or a symlinked directory: no
    /// host file is ever read into the store, whatever the link points to.
    /// </summary>
    [Theory]
    [InlineData("absolute")]
    [InlineData("relative")]
    [InlineData("directory")]
    public void LoadNeverFollowsLinksOutOfTheDirectory(string how)
    {
        using var store = new TestStore();
        using var host = new TempDir("edge-host-");
        string secret = Secret(host);
        string secretDigest = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(secret)));
        string dir = store.Combine("saved");
        DockerSaveDirectory(dir, file =>
        {
            if (how == "absolute") File.CreateSymbolicLink(file, secret);
            else if (how == "relative") File.CreateSymbolicLink(file, Path.GetRelativePath(Path.GetDirectoryName(file)!, secret));
        });
        if (how == "directory")
        {
            // The first layer's directory is a link to a host directory holding "layer.tar".
            string first = Directory.GetDirectories(dir).Order().First();
            Directory.Delete(first, true);
            File.Copy(secret, Path.Combine(host.Path, "layer.tar"));
            File.CreateSymbolicLink(first, host.Path);
        }
        ProcessResult load = store.Edge("load", dir);
        Assert.Equal(1, load.ExitCode);
        Assert.Matches("^edge: .*\"[0-9a-f]{64}/layer.tar\" is not in the archive\n$", load.Stderr);
        Assert.DoesNotContain(secretDigest, store.BlobDigests().Select(d => d[7..]));
        Assert.False(Directory.Exists(Path.Combine(store.Root, "blobs")) && Directory.EnumerateFiles(Path.Combine(store.Root, "blobs"), "*", SearchOption.AllDirectories)
            .Any(f => File.ReadAllText(f).Contains("host secret")));
        Assert.Empty(store.Images());
    }

    /// <summary>A docker save layer is checked against the config's diff_ids, as every other layer is.</summary>
    [Fact]
    public void DockerSaveLayersMustMatchTheirDiffIds()
    {
        using var store = new TestStore();
        string dir = DockerSaveDirectory(store.Combine("saved"), file => File.WriteAllBytes(file, new LayerBuilder().File("etc/passwd", "root::0:0::/:/bin/sh\n").Build()));
        ProcessResult load = store.Edge("load", dir);
        Assert.Equal(1, load.ExitCode);
        Assert.Matches(@"^edge: .*manifest\.json: \$\[0\]\.Layers\[0\]: the layer's content is sha256:[0-9a-f]{64}, the config's rootfs\.diff_ids\[0\] says sha256:[0-9a-f]{64}\n$", load.Stderr);
        Assert.Empty(store.Images());
    }

    // ---- decompression bombs and full disks ------------------------------------------------------------

    /// <summary>A small gzip layer of zeros that would expand without end: refused past the limit, nothing left behind.</summary>
    [Fact]
    public void DecompressionBombsAreRefused()
    {
        using var store = new TestStore();
        var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "zeros") { DataStream = new ZeroStream(256L << 20) });
        string layout = LayerBuilder.Layout(store.Combine("layout"), "bomb", tar.ToArray());
        Assert.Equal(0, store.Edge("load", "--name", "example/bomb:1", layout).ExitCode);
        var limits = new Dictionary<string, string?> { ["EDGE_MIN_LAYER_LIMIT"] = "32M", ["EDGE_MAX_LAYER_RATIO"] = "1" };
        ProcessResult run = store.EdgeEnv(limits, "run", "--rm", "example/bomb:1", "true");
        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"^edge: docker\.io/example/bomb:1: layer sha256:[0-9a-f]{64}: expands to more than 33554432 bytes from \d+ \(a decompression bomb\?\); EDGE_MAX_LAYER_RATIO, EDGE_MIN_LAYER_LIMIT and EDGE_MAX_LAYER_SIZE set the limit\n$", run.Stderr);
        Assert.Empty(Directory.GetDirectories(Path.Combine(store.Root, "snapshots")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(store.Root, "containers")));
        using var bundle = new TempDir("edge-bomb-");
        ProcessResult unpack = store.EdgeEnv(limits, "unpack", "example/bomb:1", bundle.Combine("b"));
        Assert.Equal(1, unpack.ExitCode);
        Assert.False(Directory.Exists(bundle.Combine("b")));
        ProcessResult badSetting = store.EdgeEnv(new() { ["EDGE_MAX_LAYER_RATIO"] = "lots" }, "run", "--rm", "example/bomb:1", "true");
        Assert.Equal("edge: EDGE_MAX_LAYER_RATIO=\"lots\": expected a whole number, 1 or more\n", badSetting.Stderr);
    }

    /// <summary>
    /// Writes stop before the file system fills (a 48 MiB tmpfs here, 16 MiB kept free): loading blobs into the
    /// store, and unpacking layers, each with its own one-line error, and nothing half-written left.
    /// </summary>
    [Fact]
    public void WritesStopBeforeTheDiskIsFull()
    {
        using var work = new TempDir("edge-full-");
        string small = work.Combine("small");
        Directory.CreateDirectory(small);
        Assert.Equal(0, EdgeProcess.Run("mount", new[] { "-t", "tmpfs", "-o", "size=48m", "tmpfs", small }).ExitCode);
        try
        {
            byte[] random = RandomNumberGenerator.GetBytes(40 << 20); // does not compress: the ratio is no help
            byte[] tar = new LayerBuilder().File("big", "").Build();
            var output = new MemoryStream();
            using (var writer = new System.Formats.Tar.TarWriter(output, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
                writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "big") { DataStream = new MemoryStream(random) });
            string layout = LayerBuilder.Layout(work.Combine("layout"), "big", output.ToArray());
            var reserve = new Dictionary<string, string?> { ["EDGE_MIN_FREE_SPACE"] = "16M" };

            // The store on the small file system: the blob cannot be ingested.
            var smallStore = new Dictionary<string, string?>(reserve);
            ProcessResult load = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--store", Path.Combine(small, "store"), "load", "--name", "example/big:1", layout }, environment: smallStore);
            Assert.Equal(1, load.ExitCode);
            Assert.Matches(@"^edge: store .*: stopped writing blob sha256:[0-9a-f]{64}: the file system has \d+ MiB left, below the 16 MiB edge keeps free \(EDGE_MIN_FREE_SPACE\)\n$", load.Stderr);
            Assert.Empty(Directory.GetFiles(Path.Combine(small, "store", "ingest"), "*.partial"));

            // The store elsewhere, the bundle on the small file system: the layer cannot be unpacked.
            using var store = new TestStore();
            Assert.Equal(0, store.Edge("load", "--name", "example/big:1", layout).ExitCode);
            ProcessResult unpack = store.EdgeEnv(reserve, "unpack", "example/big:1", Path.Combine(small, "bundle"));
            Assert.Equal(1, unpack.ExitCode);
            Assert.Matches(@"^edge: docker\.io/example/big:1: layer sha256:[0-9a-f]{64}: stopped: the file system has \d+ MiB left, below the 16 MiB edge keeps free \(EDGE_MIN_FREE_SPACE\)\n$", unpack.Stderr);
            Assert.False(Directory.Exists(Path.Combine(small, "bundle")));
        }
        finally
        {
            EdgeProcess.Run("umount", new[] { small });
        }
    }

    /// <summary>A layer of 25,000 empty files unpacked onto a file system of 20,000 inodes: stopped before they run out.</summary>
    [Fact]
    public void LayersThatExhaustInodesAreStopped()
    {
        using var work = new TempDir("edge-inodes-");
        string small = work.Combine("small");
        Directory.CreateDirectory(small);
        Assert.Equal(0, EdgeProcess.Run("mount", new[] { "-t", "tmpfs", "-o", "size=256m,nr_inodes=20000", "tmpfs", small }).ExitCode);
        try
        {
            var layer = new LayerBuilder().Dir("many");
            for (int i = 0; i < 25_000; i++) layer.File($"many/{i}", "");
            string layout = LayerBuilder.Layout(work.Combine("layout"), "many", layer.Build());
            using var store = new TestStore();
            Assert.Equal(0, store.Edge("load", "--name", "example/many:1", layout).ExitCode);
            ProcessResult unpack = store.Edge("unpack", "example/many:1", Path.Combine(small, "bundle"));
            Assert.Equal(1, unpack.ExitCode);
            Assert.Matches(@"^edge: docker\.io/example/many:1: layer sha256:[0-9a-f]{64}: stopped: the file system has \d+ inodes left, below the 5% edge keeps free\n$", unpack.Stderr);
            Assert.False(Directory.Exists(Path.Combine(small, "bundle")));
        }
        finally
        {
            EdgeProcess.Run("umount", new[] { small });
        }
    }

    private sealed class ZeroStream : Stream
    {
        private long _left;
        public ZeroStream(long length) { _left = length; Length = length; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, _left);
            Array.Clear(buffer, offset, n);
            _left -= n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length { get; }
        public override long Position { get => Length - _left; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An image whose config is 20 MB: refused with one line, never read whole into memory.</summary>
    [Fact]
    public void HugeDocumentsAreRefused()
    {
        using var store = new TestStore();
        string layout = LayerBuilder.Layout(store.Combine("layout"), "big-config", new LayerBuilder().File("f", "x").Build());
        // The config padded to 20 MB of whitespace, and the manifest and index rewritten to name it.
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest[7..]);
        string Put(byte[] content)
        {
            string digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
            File.WriteAllBytes(Blob(digest), content);
            return digest;
        }
        JsonNode index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Blob((string)index["manifests"]![0]!["digest"]!)))!;
        byte[] config = File.ReadAllBytes(Blob((string)manifest["config"]!["digest"]!));
        byte[] padded = config.Concat(Enumerable.Repeat((byte)' ', 20 << 20)).ToArray();
        manifest["config"]!["digest"] = Put(padded);
        manifest["config"]!["size"] = padded.Length;
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        index["manifests"]![0]!["digest"] = Put(manifestBytes);
        index["manifests"]![0]!["size"] = manifestBytes.Length;
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());

        ProcessResult load = store.Edge("load", "--name", "example/big-config:1", layout);
        Assert.Equal(1, load.ExitCode);
        Assert.Matches(@"^edge: .*config sha256:[0-9a-f]{64} is 2097\d{4} bytes, more than the 16777216 bytes edge reads as a document\n$", load.Stderr);
    }

    // ---- hostile registries ---------------------------------------------------------------------------

    /// <summary>A fake registry on 127.0.0.1: /v2/ asks for a Bearer token from REALM; HANDLER answers the rest.</summary>
    private static MiniHttpServer Registry(Func<MiniHttpServer, string> realm, Func<MiniRequest, Stream, Task> handler)
    {
        MiniHttpServer? self = null;
        self = new MiniHttpServer(async (r, s) =>
        {
            if (r.Target == "/v2/" && r.Header("Authorization") is null)
                await MiniHttpServer.WriteResponse(s, 401, "application/json", "{}"u8.ToArray(),
                    ("WWW-Authenticate", $"Bearer realm=\"{realm(self!)}\",service=\"test\""));
            else await handler(r, s);
        });
        return self;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HugeTokenResponsesAreRefused(bool declared)
    {
        using var registry = Registry(self => $"http://{self.Authority}/token", async (r, s) =>
        {
            if (!r.Target.StartsWith("/token", StringComparison.Ordinal)) { await MiniHttpServer.WriteResponse(s, 404, "text/plain", Array.Empty<byte>()); return; }
            var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
            if (declared) headers.Add(new("Content-Length", (50 << 20).ToString()));
            await MiniHttpServer.WriteHead(s, 200, "OK", headers);
            byte[] chunk = Encoding.ASCII.GetBytes("{\"token\":\"" + new string('a', 64 << 10));
            for (int i = 0; i < 800; i++) await s.WriteAsync(chunk); // 50 MB if nobody stops reading
        });
        using var store = new TestStore();
        var watch = Stopwatch.StartNew();
        ProcessResult pull = store.Edge("pull", $"{registry.Authority}/example/app:1");
        Assert.Equal(1, pull.ExitCode);
        string how = declared ? $"is {50 << 20} bytes, more than" : "is larger than";
        Assert.Equal($"edge: {registry.Authority}: token service {registry.Authority}: token {how} the 1048576 bytes allowed\n", pull.Stderr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
    }

    /// <summary>A registry that sends a byte a second is cut off like one that sends nothing, within a bounded time.</summary>
    [Fact]
    public void TricklingRegistriesAreCutOff()
    {
        using var registry = new MiniHttpServer(async (r, s) =>
        {
            if (r.Target == "/v2/") { await MiniHttpServer.WriteResponse(s, 200, "application/json", "{}"u8.ToArray()); return; }
            await MiniHttpServer.WriteHead(s, 200, "OK", new Dictionary<string, string> { ["Content-Type"] = "application/vnd.oci.image.manifest.v1+json", ["Content-Length"] = "100000" });
            for (int i = 0; i < 60; i++) { await s.WriteAsync(" "u8.ToArray()); await s.FlushAsync(); await Task.Delay(1000); }
        });
        using var store = new TestStore();
        var watch = Stopwatch.StartNew();
        ProcessResult pull = store.Edge("pull", "--stall-timeout", "2", $"{registry.Authority}/example/app:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Matches($@"^edge: {registry.Authority}/example/app:1: manifest from {registry.Authority}: sending \d+ bytes/s, below the 1024 bytes/s edge waits for \(--min-rate\)\n$", pull.Stderr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());

        // Fast enough, but not done within the request's deadline.
        ProcessResult slow = store.Edge("pull", "--min-rate", "0", "--request-timeout", "3", $"{registry.Authority}/example/app:1");
        Assert.Equal($"edge: {registry.Authority}/example/app:1: manifest from {registry.Authority}: timed out\n", slow.Stderr);
    }

    /// <summary>
    /// Credentials go over plain HTTP only to loopback and --insecure-registry hosts: a token realm elsewhere on
    /// plain HTTP never gets them (nothing is even sent), one on loopback does.
    /// </summary>
    [Fact]
    public void CredentialsNeverGoInClearTextToOtherHosts()
    {
        var authorizations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string realm = "http://registry-auth.example.invalid/token";
        using var registry = Registry(_ => realm, async (r, s) =>
        {
            if (r.Header("Authorization") is string a) authorizations.Enqueue(a);
            await MiniHttpServer.WriteResponse(s, 401, "application/json", "{}"u8.ToArray());
        });
        using var store = new TestStore();
        string auth = store.Combine("auth.json");
        File.WriteAllText(auth, $"{{\"auths\":{{\"{registry.Authority}\":{{\"auth\":\"{Convert.ToBase64String("user:secret"u8.ToArray())}\"}}}}}}");
        ProcessResult pull = store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = auth }, "pull", $"{registry.Authority}/example/app:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Equal($"edge: {registry.Authority}: the token service http://registry-auth.example.invalid is plain HTTP, and edge sends credentials over plain HTTP only to loopback and --insecure-registry hosts\n", pull.Stderr);
        Assert.Empty(authorizations);

        // The control: a loopback token service does get them.
        var tokenRequests = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        using var tokens = new MiniHttpServer(async (r, s) =>
        {
            tokenRequests.Enqueue(r.Header("Authorization"));
            await MiniHttpServer.WriteResponse(s, 401, "application/json", "{}"u8.ToArray());
        });
        realm = $"http://{tokens.Authority}/token";
        store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = auth }, "pull", $"{registry.Authority}/example/app:1");
        Assert.Contains("Basic " + Convert.ToBase64String("user:secret"u8.ToArray()), tokenRequests);
    }

    [Fact]
    public void RedirectsToOtherSchemesAreOneLine()
    {
        using var registry = new MiniHttpServer(async (r, s) =>
        {
            if (r.Target == "/v2/") { await MiniHttpServer.WriteResponse(s, 200, "application/json", "{}"u8.ToArray()); return; }
            await MiniHttpServer.WriteResponse(s, 302, "text/plain", Array.Empty<byte>(), ("Location", "ftp://example.invalid/manifest"));
        });
        using var store = new TestStore();
        ProcessResult pull = store.Edge("pull", $"{registry.Authority}/example/app:1");
        Assert.Equal($"edge: {registry.Authority}: redirected to a ftp: URL, which edge does not follow (only https and http)\n", pull.Stderr);
    }

    // ---- messages ----------------------------------------------------------------------------------------

    /// <summary>
    /// Failures that reach the framework (file system, DNS, sockets): one line, in words, never a .NET
    /// resource key (UnauthorizedAccess_IODenied_Path, IO_PathNotFound_Path, net_http_...).
    /// </summary>
    [Fact]
    public void FrameworkErrorsReadAsSentences()
    {
        using var work = new TempDir("edge-words-");
        File.WriteAllText(work.Combine("file"), "x");
        string closed = work.Combine("closed");
        Directory.CreateDirectory(closed);
        File.WriteAllText(Path.Combine(closed, "image.tar"), "x");
        File.SetUnixFileMode(closed, 0);
        File.SetUnixFileMode(work.Path, (UnixFileMode)0x1ed);
        string nobodyStore = $"/tmp/edge-nobody-{Environment.ProcessId}"; // where nobody may write
        var cases = new List<(ProcessResult Result, string Expected)>
        {
            (EdgeProcess.Run("setpriv", new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", EdgeProcess.Binary, "--store", nobodyStore, "load", Path.Combine(closed, "image.tar") }),
                $"edge: {closed}/image.tar: permission denied\n"),
            (EdgeProcess.Edge("--store", work.Combine("file", "store"), "load", SampleImages.Archive), $"edge: mkdir `{work.Combine("file", "store")}`: not a directory\n"),
            (EdgeProcess.Edge("--store", work.Combine("s"), "pull", "registry.example.invalid/app:1"), "edge: registry.example.invalid: host not found"),
            (EdgeProcess.Edge("--store", work.Combine("s"), "pull", "127.0.0.1:1/app:1"), "edge: 127.0.0.1:1: connection refused"),
        };
        EdgeProcess.Run("rm", new[] { "-rf", nobodyStore });
        foreach ((ProcessResult result, string expected) in cases)
        {
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith(expected, result.Stderr);
            Assert.Matches("^edge: [^\n]+\n$", result.Stderr);
            Assert.DoesNotMatch("[A-Za-z]+_[A-Za-z]+_", result.Stderr);
        }
    }

    /// <summary>Values from configs and images in a message: control characters escaped, long ones shortened.</summary>
    [Fact]
    public void HostileValuesArePrintedSafely()
    {
        using TestRuntime r = TestRuntime.Edge();
        using var bundle = new TestBundle("true");
        bundle.Config["hostname"] = "\u001b[31mred\u001b[0m" + new string('h', 1 << 20); // 1 MiB: sethostname refuses it
        bundle.Save();
        ProcessResult run = r.Run(bundle, $"words-{Environment.ProcessId}");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("edge: sethostname \"\\u001b[31mred\\u001b[0mhhh", run.Stderr);
        Assert.Contains("more characters)\": invalid argument", run.Stderr);
        Assert.True(run.Stderr.Length < 1024, $"{run.Stderr.Length} bytes of error");
        Assert.DoesNotContain('\u001b', run.Stderr);

        ProcessResult pull = EdgeProcess.Edge("pull", "bad\u001bname/\u0007x");
        Assert.Equal(1, pull.ExitCode);
        Assert.DoesNotContain('\u001b', pull.Stderr);
        Assert.DoesNotContain('\u0007', pull.Stderr);
        Assert.Matches("^edge: [^\n]+\n$", pull.Stderr);
    }
}
