using System;
using Edge.Linux;
using System.Buffers;
using System.IO;
using System.Text.Json;
using Edge.Oci.RuntimeSpec;

namespace Edge.Oci.Json;

/// <summary>Reads documents with edge's readers (FastJson) and writes them with its writers (JsonOut), with one-line errors.</summary>
public static class OciJson
{
    /// <summary>Parses <paramref name="utf8"/>; <paramref name="file"/> names the document in errors.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, FastJson.Read<T> read, string file) =>
        FastJson.ReadOrThrow(utf8, read, file);

    /// <summary>A UTF-8 byte order mark is legal in files written by some editors; the readers skip it.</summary>
    internal static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? utf8[3..] : utf8;

    /// <summary>Reads and parses a file; a missing or unreadable file is a one-line error too.</summary>
    public static T ReadFile<T>(string path, FastJson.Read<T> read, string? displayName = null) =>
        Parse(ReadBytes(path, displayName), read, displayName ?? path);

    private static byte[] ReadBytes(string path, string? displayName)
    {
        try
        {
            return SysFile.ReadBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OciFormatException(displayName ?? path, null, ErrorText.Describe(ex), null);
        }
    }

    /// <summary>Serialises compactly (one line), as state and list output do.</summary>
    public static byte[] ToUtf8<T>(T value, JsonOut.Write<T> write) => Written(value, write, new JsonWriterOptions());

    /// <summary>Serialises with indentation: tabs for config.json, as runc writes it; spaces for what edge prints.</summary>
    public static byte[] ToIndentedUtf8<T>(T value, JsonOut.Write<T> write, char indent = '\t', int indentSize = 1) =>
        Written(value, write, new JsonWriterOptions
        {
            Indented = true,
            IndentCharacter = indent,
            IndentSize = indentSize,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

    /// <summary>config.json as runc writes it.</summary>
    public static byte[] SpecToIndentedUtf8(Spec spec) => ToIndentedUtf8(spec, SpecWriter.Spec);

    private static byte[] Written<T>(T value, JsonOut.Write<T> write, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            write(writer, value);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
