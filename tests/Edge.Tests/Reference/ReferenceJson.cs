using System;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.Json;

namespace Edge.Tests.Reference;

/// <summary>Parse and write with System.Text.Json's generated metadata, as edge did before it had its own readers and writers.</summary>
public static class ReferenceJson
{
    public static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> type, string file)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
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

    public static byte[] ToUtf8<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

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
