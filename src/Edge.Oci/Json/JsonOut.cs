using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Edge.Oci.Json;

/// <summary>
/// The pieces of edge's JSON writers (SpecWriter, ImageWriter): a property whose value is null is left out
/// (Go's omitempty for pointers, maps and slices); numbers and booleans are written as they are unless a
/// writer says otherwise. Properties are written in the model's declaration order.
/// </summary>
public static class JsonOut
{
    /// <summary>Writes one value at the writer's position.</summary>
    public delegate void Write<in T>(Utf8JsonWriter writer, T value);

    public static void Str(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    public static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, int? value)
    {
        if (value is int v) w.WriteNumber(name, v);
    }

    public static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, uint? value)
    {
        if (value is uint v) w.WriteNumber(name, v);
    }

    public static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
    }

    public static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is ulong v) w.WriteNumber(name, v);
    }

    public static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, ushort? value)
    {
        if (value is ushort v) w.WriteNumber(name, (uint)v);
    }

    public static void Bool(Utf8JsonWriter w, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is bool v) w.WriteBoolean(name, v);
    }

    /// <summary>Bytes as a base64 string.</summary>
    public static void Bytes(Utf8JsonWriter w, ReadOnlySpan<byte> name, byte[]? value)
    {
        if (value is not null) w.WriteBase64String(name, value);
    }

    public static void Obj<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, T? value, Write<T> write) where T : class
    {
        if (value is null) return;
        w.WritePropertyName(name);
        write(w, value);
    }

    public static void List<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<T>? value, Write<T> write)
    {
        if (value is null) return;
        w.WritePropertyName(name);
        Array(w, value, write);
    }

    /// <summary>A whole array as a value (a document that is a list).</summary>
    public static void Array<T>(Utf8JsonWriter w, List<T> value, Write<T> write)
    {
        w.WriteStartArray();
        foreach (T item in value) write(w, item);
        w.WriteEndArray();
    }

    public static void Strings(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<string>? value)
    {
        if (value is null) return;
        w.WriteStartArray(name);
        foreach (string item in value) w.WriteStringValue(item);
        w.WriteEndArray();
    }

    public static void UInts(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<uint>? value)
    {
        if (value is null) return;
        w.WriteStartArray(name);
        foreach (uint item in value) w.WriteNumberValue(item);
        w.WriteEndArray();
    }

    public static void Map<T>(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, T>? value, Write<T> write)
    {
        if (value is null) return;
        w.WriteStartObject(name);
        foreach (var (key, item) in value)
        {
            w.WritePropertyName(key);
            write(w, item);
        }
        w.WriteEndObject();
    }

    public static void StringMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, string>? value)
    {
        if (value is null) return;
        w.WriteStartObject(name);
        foreach (var (key, item) in value) w.WriteString(key, item);
        w.WriteEndObject();
    }
}
