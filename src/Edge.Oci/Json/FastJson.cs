using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Edge.Oci.Json;

/// <summary>
/// The pieces of edge's fast JSON readers (SpecReader, ImageReader): hand-written readers over
/// <see cref="Utf8JsonReader"/> for the few documents read on every container start, because in a Native AOT
/// process the serializer's first use sets up metadata for a whole model, with reflection, at a cost of
/// milliseconds (docs/process-model.md, "Measured"). No reflection here either.
///
/// A fast reader only accepts what it is sure the source-generated context reads the same way: on anything
/// else (a wrong token type, a missing required field, a null it does not expect, malformed JSON) it throws
/// <see cref="Decline"/>, and <see cref="OciJson"/> parses the document with the context instead, which gives
/// the value or the one-line error. Tests compare the two on documents that set every field.
/// </summary>
public static class FastJson
{
    /// <summary>Reads one value; the reader is on its first token and is left on its last.</summary>
    public delegate T Read<T>(ref Utf8JsonReader reader);

    /// <summary>True with the value when the fast reader could read the whole document.</summary>
    public static bool TryRead<T>(ReadOnlySpan<byte> utf8, Read<T> read, out T value) where T : class
    {
        value = null!;
        var reader = new Utf8JsonReader(OciJson.WithoutBom(utf8), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read()) return false;
            value = read(ref reader);
            // Trailing content after the value: let the serializer report it.
            return !reader.Read();
        }
        catch (Exception ex) when (ex is Decline or JsonException or InvalidOperationException or FormatException)
        {
            // Malformed JSON, invalid UTF-8 or base64: the serializer words the error.
            return false;
        }
    }

    /// <summary>Not an error: "let the serializer decide". Thrown only for input a fast reader does not take.</summary>
    public sealed class Decline : Exception;

    public static void Begin(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new Decline();
    }

    /// <summary>Moves to the next property name; false at the end of the object.</summary>
    public static bool Property(ref Utf8JsonReader r)
    {
        r.Read();
        return r.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>True, and on the value, when the current property is <paramref name="name"/>.</summary>
    public static bool Is(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        if (!r.ValueTextEquals(name)) return false;
        r.Read();
        return true;
    }

    /// <summary>An unknown property: ignored, as the spec and the serializer do.</summary>
    public static void Skip(ref Utf8JsonReader r)
    {
        r.Read();
        r.Skip();
    }

    public static void Require(bool present)
    {
        if (!present) throw new Decline();
    }

    /// <summary>A nullable object property.</summary>
    public static T? Maybe<T>(ref Utf8JsonReader r, Read<T> read) where T : class =>
        r.TokenType == JsonTokenType.Null ? null : read(ref r);

    /// <summary>A nullable array; its elements may not be null.</summary>
    public static List<T>? List<T>(ref Utf8JsonReader r, Read<T> read)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new Decline();
        var list = new List<T>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.Null) throw new Decline();
            list.Add(read(ref r));
        }
        return list;
    }

    /// <summary>A nullable object used as a map; its values may not be null.</summary>
    public static Dictionary<string, T>? Map<T>(ref Utf8JsonReader r, Read<T> read)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        Begin(ref r);
        var map = new Dictionary<string, T>();
        while (Property(ref r))
        {
            string key = r.GetString()!;
            r.Read();
            if (r.TokenType == JsonTokenType.Null) throw new Decline();
            map[key] = read(ref r);
        }
        return map;
    }

    public static string Str(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw new Decline();

    public static string? NStr(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Str(ref r);

    public static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new Decline(),
    };

    public static bool? NBool(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Bool(ref r);

    public static void Number(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.Number) throw new Decline();
    }

    public static uint U32(ref Utf8JsonReader r)
    {
        Number(ref r);
        return r.TryGetUInt32(out uint v) ? v : throw new Decline();
    }

    public static int I32(ref Utf8JsonReader r)
    {
        Number(ref r);
        return r.TryGetInt32(out int v) ? v : throw new Decline();
    }

    public static long I64(ref Utf8JsonReader r)
    {
        Number(ref r);
        return r.TryGetInt64(out long v) ? v : throw new Decline();
    }

    public static ulong U64(ref Utf8JsonReader r)
    {
        Number(ref r);
        return r.TryGetUInt64(out ulong v) ? v : throw new Decline();
    }

    public static ushort U16(ref Utf8JsonReader r)
    {
        Number(ref r);
        return r.TryGetUInt16(out ushort v) ? v : throw new Decline();
    }

    public static uint? NU32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U32(ref r);
    public static int? NI32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I32(ref r);
    public static long? NI64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I64(ref r);
    public static ulong? NU64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U64(ref r);
    public static ushort? NU16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U16(ref r);

    /// <summary>A nullable base64 string as bytes, as the serializer reads byte[].</summary>
    public static byte[]? NBytes(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.String || !r.TryGetBytesFromBase64(out byte[]? bytes)) throw new Decline();
        return bytes;
    }
}
