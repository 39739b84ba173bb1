using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Edge.Oci.Json;

/// <summary>
/// The pieces of edge's JSON readers (SpecReader, ImageReader and the image side's own documents):
/// hand-written readers over <see cref="Utf8JsonReader"/>. edge has no JsonSerializer: its metadata for a
/// whole model cost 1.85 MB of binary and, on first use, milliseconds and most of a megabyte of memory
/// (docs/process-model.md, "Measured"; bench/results/size.md). No reflection here either.
///
/// A reader that meets something its model does not allow (a wrong token type, a null where the model has
/// no null, a number out of range, a missing required field) throws <see cref="Mismatch"/> while the reader
/// is still on the offending token; <see cref="JsonErrors"/> then words the error from the document and that
/// position: "file: $.json.path: expected X, got Y (line N)".
/// </summary>
public static class FastJson
{
    /// <summary>Reads one value; the reader is on its first token and is left on its last.</summary>
    public delegate T Read<T>(ref Utf8JsonReader reader);

    internal static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>True with the value when the document reads; false on any error (for bodies a caller may ignore).</summary>
    public static bool TryRead<T>(ReadOnlySpan<byte> utf8, Read<T> read, out T value) where T : class
    {
        value = null!;
        try
        {
            value = ReadOrThrow(utf8, read, "document");
            return true;
        }
        catch (OciFormatException)
        {
            return false;
        }
    }

    /// <summary>Reads the whole document; anything else is an <see cref="OciFormatException"/> naming <paramref name="file"/>.</summary>
    internal static T ReadOrThrow<T>(ReadOnlySpan<byte> utf8, Read<T> read, string file)
    {
        utf8 = OciJson.WithoutBom(utf8);
        var reader = new Utf8JsonReader(utf8, Options);
        try
        {
            if (!reader.Read()) throw JsonErrors.Describe(utf8, 0, null, file);
            T value = read(ref reader);
            // Trailing content after the value makes the reader throw a JsonException here.
            if (reader.Read()) throw JsonErrors.Describe(utf8, reader.TokenStartIndex, null, file);
            return value;
        }
        catch (Mismatch mismatch)
        {
            throw JsonErrors.Describe(utf8, reader.TokenStartIndex, mismatch, file);
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8 cannot become a .NET string.
            throw JsonErrors.Describe(utf8, reader.TokenStartIndex, new Mismatch("valid UTF-8 text"), file);
        }
        catch (JsonException)
        {
            throw JsonErrors.Describe(utf8, reader.TokenStartIndex, null, file);
        }
    }

    /// <summary>
    /// The token the reader is on is not what the model allows here: <see cref="Expected"/> says what was
    /// (e.g. "array of strings"); <see cref="Item"/> is set when the fault is that array's element;
    /// <see cref="MissingField"/> when the reader is at the end of an object that lacks a required field.
    /// </summary>
    public sealed class Mismatch(string expected, int? item = null, string? missingField = null) : Exception(expected)
    {
        public string Expected { get; } = expected;
        public int? Item { get; } = item;
        public string? MissingField { get; } = missingField;
    }

    public static void Begin(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new Mismatch("object");
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

    /// <summary>An unknown property: ignored, as the spec says.</summary>
    public static void Skip(ref Utf8JsonReader r)
    {
        r.Read();
        r.Skip();
    }

    /// <summary>At the end of an object: a required field that was not seen is an error.</summary>
    public static void Require(bool present, string name)
    {
        if (!present) throw new Mismatch("object", missingField: name);
    }

    /// <summary>
    /// At the end of an object: <paramref name="seen"/> has bit i set for each required field i of
    /// <paramref name="names"/> that was read (in the model's order, which is the order errors name them).
    /// </summary>
    public static void Require(int seen, params ReadOnlySpan<string> names)
    {
        for (int i = 0; i < names.Length; i++)
            if ((seen & (1 << i)) == 0) throw new Mismatch("object", missingField: names[i]);
    }

    /// <summary>A nullable object property.</summary>
    public static T? Maybe<T>(ref Utf8JsonReader r, Read<T> read) where T : class =>
        r.TokenType == JsonTokenType.Null ? null : read(ref r);

    /// <summary>A nullable array of objects; its elements may not be null.</summary>
    public static List<T>? List<T>(ref Utf8JsonReader r, Read<T> read)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new Mismatch("array of objects");
        var list = new List<T>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            list.Add(read(ref r));
        return list;
    }

    /// <summary>A non-null array of objects.</summary>
    public static List<T> Items<T>(ref Utf8JsonReader r, Read<T> read) =>
        List(ref r, read) ?? throw new Mismatch("array of objects");

    /// <summary>A nullable array of strings.</summary>
    public static List<string>? Strings(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new Mismatch("array of strings");
        var list = new List<string>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.String) throw new Mismatch("array of strings", list.Count);
            list.Add(r.GetString()!);
        }
        return list;
    }

    /// <summary>A non-null array of strings.</summary>
    public static List<string> RequiredStrings(ref Utf8JsonReader r) =>
        Strings(ref r) ?? throw new Mismatch("array of strings");

    /// <summary>A nullable array of unsigned 32-bit integers.</summary>
    public static List<uint>? UInts(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new Mismatch("array of unsigned integers");
        var list = new List<uint>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.Number || !r.TryGetUInt32(out uint v)) throw new Mismatch("array of unsigned integers", list.Count);
            list.Add(v);
        }
        return list;
    }

    /// <summary>A nullable object used as a map of objects; its values may not be null.</summary>
    public static Dictionary<string, T>? Map<T>(ref Utf8JsonReader r, Read<T> read)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new Mismatch("object of objects");
        var map = new Dictionary<string, T>();
        while (Property(ref r))
        {
            string key = r.GetString()!;
            r.Read();
            map[key] = read(ref r);
        }
        return map;
    }

    /// <summary>A nullable object used as a map of strings.</summary>
    public static Dictionary<string, string>? StringMap(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new Mismatch("object of strings");
        var map = new Dictionary<string, string>();
        while (Property(ref r))
        {
            string key = r.GetString()!;
            r.Read();
            map[key] = Str(ref r);
        }
        return map;
    }

    public static string Str(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw new Mismatch("string");

    public static string? NStr(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Str(ref r);

    public static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new Mismatch("boolean"),
    };

    public static bool? NBool(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Bool(ref r);

    public static uint U32(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint v) ? v : throw new Mismatch("unsigned integer");

    public static int I32(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v : throw new Mismatch("integer");

    public static long I64(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v) ? v : throw new Mismatch("integer");

    public static ulong U64(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong v) ? v : throw new Mismatch("unsigned integer");

    public static ushort U16(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetUInt16(out ushort v) ? v : throw new Mismatch("unsigned 16-bit integer");

    public static uint? NU32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U32(ref r);
    public static int? NI32(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I32(ref r);
    public static long? NI64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : I64(ref r);
    public static ulong? NU64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U64(ref r);
    public static ushort? NU16(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : U16(ref r);

    /// <summary>A nullable base64 string as bytes.</summary>
    public static byte[]? NBytes(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.String || !r.TryGetBytesFromBase64(out byte[]? bytes)) throw new Mismatch("base64 string");
        return bytes;
    }
}
