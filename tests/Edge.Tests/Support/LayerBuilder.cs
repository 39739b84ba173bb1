using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Tests.Support;

/// <summary>
/// Builds layer tars entry by entry (any name, type, owner, xattr, link target: also hostile ones) and
/// wraps them into an OCI image layout that `edge load` and umoci read.
/// </summary>
public sealed class LayerBuilder
{
    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;

    public LayerBuilder(TarEntryFormat format = TarEntryFormat.Pax)
    {
        _writer = new TarWriter(_tar, format, leaveOpen: true);
        Format = format;
    }

    public TarEntryFormat Format { get; }

    private TarEntry Entry(TarEntryType type, string name) => Format switch
    {
        TarEntryFormat.Gnu => new GnuTarEntry(type, name),
        TarEntryFormat.Ustar => new UstarTarEntry(type, name),
        _ => new PaxTarEntry(type, name),
    };

    public LayerBuilder Dir(string name, int mode = 0x1ED, int uid = 0, int gid = 0)
    {
        var e = Entry(TarEntryType.Directory, name);
        e.Mode = (UnixFileMode)mode; e.Uid = uid; e.Gid = gid;
        e.ModificationTime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0, Dictionary<string, string>? xattrs = null)
    {
        TarEntry e = xattrs is null || Format != TarEntryFormat.Pax
            ? Entry(TarEntryType.RegularFile, name)
            : new PaxTarEntry(TarEntryType.RegularFile, name, Xattrs(xattrs));
        e.Mode = (UnixFileMode)mode; e.Uid = uid; e.Gid = gid;
        e.ModificationTime = new DateTimeOffset(2021, 6, 7, 8, 9, 10, TimeSpan.Zero);
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder Symlink(string name, string target)
    {
        var e = Entry(TarEntryType.SymbolicLink, name);
        e.LinkName = target;
        e.Mode = (UnixFileMode)0x1FF;
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder HardLink(string name, string target)
    {
        var e = Entry(TarEntryType.HardLink, name);
        e.LinkName = target;
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder Device(string name, bool block, int major, int minor)
    {
        var e = (PosixTarEntry)Entry(block ? TarEntryType.BlockDevice : TarEntryType.CharacterDevice, name);
        e.DeviceMajor = major; e.DeviceMinor = minor; e.Mode = (UnixFileMode)0x1B0;
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder Fifo(string name)
    {
        var e = Entry(TarEntryType.Fifo, name);
        e.Mode = (UnixFileMode)0x1A4;
        _writer.WriteEntry(e);
        return this;
    }

    public LayerBuilder Whiteout(string name) => File(name, "", 0);

    private static Dictionary<string, string> Xattrs(Dictionary<string, string> xattrs)
    {
        var ext = new Dictionary<string, string>();
        foreach (var (k, v) in xattrs) ext["SCHILY.xattr." + k] = v;
        return ext;
    }

    /// <summary>The uncompressed tar.</summary>
    public byte[] Build()
    {
        _writer.Dispose();
        return _tar.ToArray();
    }

    /// <summary>
    /// Writes an OCI layout at DIR holding one image of these layers (gzip-compressed), named by ref.name
    /// NAME. Returns the layout directory.
    /// </summary>
    public static string Layout(string dir, string name, params byte[][] layers) => Layout(dir, name, zstd: false, layers);

    /// <summary>The same, with zstd-compressed layers (compressed by the zstd command).</summary>
    public static string Layout(string dir, string name, bool zstd, params byte[][] layers)
    {
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        var layerDescriptors = new JsonArray();
        var diffIds = new JsonArray();
        foreach (byte[] tar in layers)
        {
            diffIds.Add("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));
            if (zstd)
            {
                string plain = Path.GetTempFileName();
                System.IO.File.WriteAllBytes(plain, tar);
                ProcessResult z = EdgeProcess.Run("zstd", new[] { "-q", "-f", plain, "-o", plain + ".zst" });
                if (z.ExitCode != 0) throw new InvalidOperationException("zstd failed: " + z);
                layerDescriptors.Add(Descriptor(dir, System.IO.File.ReadAllBytes(plain + ".zst"), "application/vnd.oci.image.layer.v1.tar+zstd"));
                System.IO.File.Delete(plain);
                System.IO.File.Delete(plain + ".zst");
                continue;
            }
            var gz = new MemoryStream();
            using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(tar);
            layerDescriptors.Add(Descriptor(dir, gz.ToArray(), "application/vnd.oci.image.layer.v1.tar+gzip"));
        }
        var config = new JsonObject
        {
            ["architecture"] = "amd64", ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor(dir, Encoding.UTF8.GetBytes(config.ToJsonString()), "application/vnd.oci.image.config.v1+json"),
            ["layers"] = layerDescriptors,
        };
        JsonObject top = Descriptor(dir, Encoding.UTF8.GetBytes(manifest.ToJsonString()), "application/vnd.oci.image.manifest.v1+json");
        top["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = name };
        System.IO.File.WriteAllText(Path.Combine(dir, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(top) }.ToJsonString());
        System.IO.File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    private static JsonObject Descriptor(string dir, byte[] content, string mediaType)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(content));
        System.IO.File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", hex), content);
        return new JsonObject { ["mediaType"] = mediaType, ["digest"] = "sha256:" + hex, ["size"] = content.Length };
    }
}

/// <summary>A file tree as `find` and `sha256sum` see it, for comparing two unpacked root file systems.</summary>
public static class TreeListing
{
    public static string Of(string root)
    {
        ProcessResult find = EdgeProcess.Run("sh", new[] { "-c",
            // Directories without mtimes: umoci leaves them at the time of unpacking; edge restores them.
            "cd \"$1\" && { find . -mindepth 1 -type d -printf '%p %M %U:%G\\n'; find . -mindepth 1 ! -type d -printf '%p %M %U:%G %l %T@\\n'; } | sort && " +
            "find . -type f -print0 | sort -z | xargs -0 -r sha256sum && " +
            "getfattr -R -h -d -m - . 2>/dev/null | grep -v '^$' || true", "tree", root });
        if (find.ExitCode != 0) throw new InvalidOperationException("listing failed: " + find);
        return find.Stdout;
    }
}
