using System;
using Edge.Linux;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.RuntimeSpec;

namespace Edge.Oci.Json;

/// <summary>Reads and writes OCI documents through <see cref="OciJsonContext"/> with one-line errors.</summary>
public static class OciJson
{
    /// <summary>Parses <paramref name="utf8"/>; <paramref name="file"/> names the document in errors.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> type, string file)
    {
        utf8 = WithoutBom(utf8);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8, type);
        }
        catch (JsonException ex)
        {
            throw JsonErrorDescriber.Describe(ex, utf8, type, file);
        }
        if (value is null) throw new OciFormatException(file, "$", "expected object, got null", 1);
        return value;
    }

    /// <summary>A UTF-8 byte order mark is legal in files written by some editors; the readers skip it.</summary>
    internal static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? utf8[3..] : utf8;

    /// <summary>
    /// Parses with a fast reader (<see cref="FastJson"/>) when it can, else with the context, which also words
    /// the error. The context's metadata is only built (<paramref name="type"/>) when needed.
    /// </summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, FastJson.Read<T> fast, Func<JsonTypeInfo<T>> type, string file) where T : class =>
        FastJson.TryRead(utf8, fast, out T value) ? value : Parse(utf8, type(), file);

    /// <summary>Reads and parses a file; a missing or unreadable file is a one-line error too.</summary>
    public static T ReadFile<T>(string path, JsonTypeInfo<T> type, string? displayName = null) =>
        Parse(ReadBytes(path, displayName), type, displayName ?? path);

    /// <summary>Reads a file through a fast reader, see <see cref="Parse{T}(ReadOnlySpan{byte}, FastJson.Read{T}, Func{JsonTypeInfo{T}}, string)"/>.</summary>
    public static T ReadFile<T>(string path, FastJson.Read<T> fast, Func<JsonTypeInfo<T>> type, string? displayName = null) where T : class =>
        Parse(ReadBytes(path, displayName), fast, type, displayName ?? path);

    private static byte[] ReadBytes(string path, string? displayName)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OciFormatException(displayName ?? path, null, ErrorText.Describe(ex), null);
        }
    }

    /// <summary>Serialises compactly (one line), as state and list output do.</summary>
    public static byte[] ToUtf8<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>Serialises with tab indentation, as runc writes config.json.</summary>
    public static byte[] ToIndentedUtf8<T>(T value, JsonTypeInfo<T> type, char indent = '\t', int indentSize = 1) =>
        Indented(writer => JsonSerializer.Serialize(writer, value, type), indent, indentSize);

    /// <summary>config.json as runc writes it, through <see cref="OciJsonContext.WriteSpec"/>.</summary>
    public static byte[] SpecToIndentedUtf8(Spec spec) => Indented(writer => OciJsonContext.Default.WriteSpec(writer, spec), '\t', 1);

    private static byte[] Indented(Action<Utf8JsonWriter> write, char indent, int indentSize)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentCharacter = indent,
            IndentSize = indentSize,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
