using System.IO;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.Json;
using Xunit;

namespace Edge.Tests.Support;

/// <summary>
/// Checks of edge's fast JSON readers (FastJson) against the source-generated contexts they stand in for:
/// what a reader takes it must read as the context does, and what it declines the context must word.
/// </summary>
public static class FastPath
{
    /// <summary>The fast reader takes the document and reads it to the context's value.</summary>
    public static void AssertReadsAlike<T>(byte[] utf8, FastJson.Read<T> read, JsonTypeInfo<T> type, string what) where T : class
    {
        Assert.True(FastJson.TryRead(utf8, read, out T fast), $"{what}: the fast reader declined it");
        T reference = OciJson.Parse(utf8, type, what);
        Assert.Equal(Encoding.UTF8.GetString(OciJson.ToUtf8(reference, type)), Encoding.UTF8.GetString(OciJson.ToUtf8(fast, type)));
    }

    /// <summary>A config.json a real tool wrote (edge, runc, crun, containerd, podman) takes the fast path: a decline would be correct but slow.</summary>
    public static void AssertReads(string configPath) =>
        AssertReadsAlike(File.ReadAllBytes(configPath), SpecReader.Spec, OciJsonContext.Default.Spec, configPath);

    /// <summary><see cref="AssertReads"/> for the bundle of container ID, found with RUNTIME --root ROOT state ID.</summary>
    public static void AssertBundleReads(string runtime, string root, string id)
    {
        ProcessResult state = EdgeProcess.Run(runtime, new[] { "--root", root, "state", id });
        Assert.True(state.ExitCode == 0, state.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(state.Stdout);
        AssertReads(Path.Combine(doc.RootElement.GetProperty("bundle").GetString()!, "config.json"));
    }

    /// <summary>The fast reader declines the document, and parsing it fails with the context's own error, which is returned.</summary>
    public static string AssertLeftToContext<T>(byte[] utf8, FastJson.Read<T> read, JsonTypeInfo<T> type, string file) where T : class
    {
        Assert.False(FastJson.TryRead(utf8, read, out _));
        var reference = Assert.Throws<OciFormatException>(() => OciJson.Parse(utf8, type, file));
        var fast = Assert.Throws<OciFormatException>(() => OciJson.Parse(utf8, read, () => type, file));
        Assert.Equal(reference.Message, fast.Message);
        return fast.Message;
    }
}
