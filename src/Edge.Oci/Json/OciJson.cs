using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Edge.Oci.Json;

/// <summary>Reads and writes OCI documents through <see cref="OciJsonContext"/> with one-line errors.</summary>
public static class OciJson
{
    /// <summary>Parses <paramref name="utf8"/>; <paramref name="file"/> names the document in errors.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> type, string file)
    {
        // A UTF-8 byte order mark is legal in files written by some editors.
        if (utf8.StartsWith("\xEF\xBB\xBF"u8)) utf8 = utf8[3..];
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

    /// <summary>Reads and parses a file; a missing or unreadable file is a one-line error too.</summary>
    public static T ReadFile<T>(string path, JsonTypeInfo<T> type, string? displayName = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OciFormatException(displayName ?? path, null, Errors.Describe(ex), null);
        }
        return Parse(bytes, type, displayName ?? path);
    }

    /// <summary>Serialises compactly (one line), as state and list output do.</summary>
    public static byte[] ToUtf8<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>Serialises with tab indentation, as runc writes config.json.</summary>
    public static byte[] ToIndentedUtf8<T>(T value, JsonTypeInfo<T> type, char indent = '\t', int indentSize = 1)
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
            JsonSerializer.Serialize(writer, value, type);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
