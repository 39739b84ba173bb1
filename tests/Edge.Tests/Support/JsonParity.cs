using System.IO;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Xunit;

namespace Edge.Tests.Support;

/// <summary>
/// Checks of edge's JSON readers and writers (FastJson, JsonOut) against System.Text.Json's source-generated
/// metadata for the same model (Reference): what a reader takes it must read as the serializer does, what the
/// serializer refuses the reader refuses with the same words, and a writer writes the serializer's bytes.
/// </summary>
public static class JsonParity
{
    /// <summary>Edge's reader takes the document and reads it to the serializer's value.</summary>
    public static void AssertReadsAlike<T>(byte[] utf8, FastJson.Read<T> read, JsonTypeInfo<T> type, string what) where T : class
    {
        T edge = OciJson.Parse(utf8, read, what);
        T reference = ReferenceJson.Parse(utf8, type, what);
        Assert.Equal(Encoding.UTF8.GetString(ReferenceJson.ToUtf8(reference, type)), Encoding.UTF8.GetString(ReferenceJson.ToUtf8(edge, type)));
    }

    /// <summary>A config.json a real tool wrote (edge, runc, crun, containerd, podman) reads as the serializer reads it.</summary>
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

    /// <summary>Both refuse the document with the same one-line error, which is returned.</summary>
    public static string AssertRefusedAlike<T>(byte[] utf8, FastJson.Read<T> read, JsonTypeInfo<T> type, string file) where T : class
    {
        Assert.False(FastJson.TryRead(utf8, read, out _));
        var reference = Assert.Throws<OciFormatException>(() => ReferenceJson.Parse(utf8, type, file));
        var edge = Assert.Throws<OciFormatException>(() => OciJson.Parse(utf8, read, file));
        Assert.Equal(reference.Message, edge.Message);
        return edge.Message;
    }

    /// <summary>Edge's writer writes the serializer's bytes, compact and indented.</summary>
    public static void AssertWritesAlike<T>(T value, JsonOut.Write<T> write, JsonTypeInfo<T> type)
    {
        Assert.Equal(Encoding.UTF8.GetString(ReferenceJson.ToUtf8(value, type)), Encoding.UTF8.GetString(OciJson.ToUtf8(value, write)));
        Assert.Equal(Encoding.UTF8.GetString(ReferenceJson.ToIndentedUtf8(value, type)), Encoding.UTF8.GetString(OciJson.ToIndentedUtf8(value, write)));
        Assert.Equal(Encoding.UTF8.GetString(ReferenceJson.ToIndentedUtf8(value, type, ' ', 2)), Encoding.UTF8.GetString(OciJson.ToIndentedUtf8(value, write, ' ', 2)));
    }
}
