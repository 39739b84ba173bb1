using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.Json;

namespace Edge.Tests.Reference;

/// <summary>
/// How edge worded errors while it used the serializer (kept as the reference for JsonErrors): turns a <see cref="JsonException"/> into "file: $.json.path: what was expected (line N)".
/// The exception gives the path; the expected type comes from the source-generated metadata and
/// the actual value from re-reading the document. This runs only on the error path, so it may allocate.
/// </summary>
internal static class JsonErrorDescriber
{
    public static OciFormatException Describe(JsonException ex, ReadOnlySpan<byte> utf8, JsonTypeInfo root, string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException syntax)
        {
            return new OciFormatException(file, null, "invalid JSON", syntax.LineNumber + 1);
        }

        using (document)
        {
            List<Segment> segments = ParsePath(ex.Path ?? "$");
            JsonTypeInfo expected = root;
            JsonElement actual = document.RootElement;
            var walked = new List<Segment>();
            bool found = true;
            string shownPath = "$";
            for (int i = 0; i < segments.Count; i++)
            {
                Segment segment = segments[i];
                JsonTypeInfo? next = segment.Index is null ? MemberType(expected, segment.Name!) : ElementType(expected);
                if (next is null) break;

                // An element of an array of scalars is reported as the array: "expected array of strings".
                if (segment.Index is not null && IsScalar(next) && i == segments.Count - 1)
                {
                    string element = found && TryStep(actual, segment, out JsonElement bad) ? DescribeValue(bad) : "another value";
                    walked.Add(segment);
                    return new OciFormatException(file, shownPath, $"expected {Describe(expected)}, got {element} at [{segment.Index}]", LineOf(utf8, walked, ex));
                }

                expected = next;
                walked.Add(segment);
                shownPath = segment.Index is null ? AppendName(shownPath, segment.Name!) : $"{shownPath}[{segment.Index}]";
                if (found) found = TryStep(actual, segment, out actual);
            }

            if (found && actual.ValueKind == JsonValueKind.Object && expected.Kind == JsonTypeInfoKind.Object)
            {
                string? missing = FirstMissingRequired(expected, actual);
                if (missing is not null)
                    return new OciFormatException(file, shownPath, $"missing required field \"{missing}\"", LineOf(utf8, walked, ex));
            }

            string problem = "expected " + Describe(expected);
            if (found) problem += ", got " + DescribeValue(actual);
            return new OciFormatException(file, shownPath, problem, LineOf(utf8, walked, ex));
        }
    }

    /// <summary>
    /// The line where the value at <paramref name="path"/> starts. System.Text.Json's own line number points
    /// wherever its reader stopped, which can be the end of the enclosing object.
    /// </summary>
    private static long LineOf(ReadOnlySpan<byte> utf8, List<Segment> path, JsonException fallback)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read()) return (fallback.LineNumber ?? 0) + 1;
        foreach (Segment segment in path)
        {
            if (segment.Index is int index)
            {
                if (reader.TokenType != JsonTokenType.StartArray) break;
                reader.Read();
                for (int i = 0; i < index && reader.TokenType != JsonTokenType.EndArray; i++)
                {
                    reader.Skip();
                    reader.Read();
                }
                if (reader.TokenType == JsonTokenType.EndArray) break;
            }
            else
            {
                if (reader.TokenType != JsonTokenType.StartObject) break;
                reader.Read();
                bool matched = false;
                while (reader.TokenType == JsonTokenType.PropertyName)
                {
                    matched = reader.ValueTextEquals(segment.Name);
                    reader.Read();
                    if (matched) break;
                    reader.Skip();
                    reader.Read();
                }
                if (!matched) break;
            }
        }
        return 1 + utf8[..(int)reader.TokenStartIndex].Count((byte)'\n');
    }

    private static string AppendName(string path, string name) =>
        IsPlainName(name) ? $"{path}.{name}" : $"{path}['{name}']";

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static JsonTypeInfo? MemberType(JsonTypeInfo owner, string name)
    {
        if (owner.Kind == JsonTypeInfoKind.Dictionary) return ElementType(owner);
        if (owner.Kind != JsonTypeInfoKind.Object) return null;
        foreach (JsonPropertyInfo property in owner.Properties)
            if (property.Name == name) return owner.Options.GetTypeInfo(property.PropertyType);
        return null;
    }

    private static JsonTypeInfo? ElementType(JsonTypeInfo owner) =>
        owner.ElementType is { } element && owner.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary
            ? owner.Options.GetTypeInfo(element)
            : null;

    private static bool TryStep(JsonElement from, Segment segment, out JsonElement to)
    {
        to = default;
        if (segment.Index is int index)
        {
            if (from.ValueKind != JsonValueKind.Array || index >= from.GetArrayLength()) return false;
            to = from[index];
            return true;
        }
        return from.ValueKind == JsonValueKind.Object && from.TryGetProperty(segment.Name!, out to);
    }

    private static string? FirstMissingRequired(JsonTypeInfo type, JsonElement value)
    {
        foreach (JsonPropertyInfo property in type.Properties)
            if (property.IsRequired && !value.TryGetProperty(property.Name, out _)) return property.Name;
        return null;
    }

    private static bool IsScalar(JsonTypeInfo type) => type.Kind == JsonTypeInfoKind.None;

    internal static string Describe(JsonTypeInfo type)
    {
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Enumerable:
                return type.Type == typeof(byte[]) ? "base64 string" : "array of " + Plural(ElementType(type));
            case JsonTypeInfoKind.Dictionary:
                return "object of " + Plural(ElementType(type));
            case JsonTypeInfoKind.Object:
                return "object";
            default:
                return ScalarName(Nullable.GetUnderlyingType(type.Type) ?? type.Type);
        }
    }

    private static string Plural(JsonTypeInfo? element)
    {
        if (element is null) return "values";
        string single = Describe(element);
        return single switch
        {
            "object" => "objects",
            "string" => "strings",
            "boolean" => "booleans",
            "integer" => "integers",
            "unsigned integer" => "unsigned integers",
            _ when single.StartsWith("unsigned ", StringComparison.Ordinal) || single.EndsWith("integer", StringComparison.Ordinal) => single + "s",
            _ => single,
        };
    }

    private static string ScalarName(Type type)
    {
        if (type == typeof(string)) return "string";
        if (type == typeof(bool)) return "boolean";
        if (type == typeof(int) || type == typeof(long)) return "integer";
        if (type == typeof(uint) || type == typeof(ulong)) return "unsigned integer";
        if (type == typeof(ushort)) return "unsigned 16-bit integer";
        if (type == typeof(double) || type == typeof(float)) return "number";
        if (type == typeof(byte[])) return "base64 string"; // the serializer's byte[] converter is a scalar one
        return type.Name;
    }

    private static string DescribeValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private readonly record struct Segment(string? Name, int? Index);

    /// <summary>Splits System.Text.Json paths: <c>$.a.b[3]['c.d']</c>.</summary>
    private static List<Segment> ParsePath(string path)
    {
        var segments = new List<Segment>();
        int i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                segments.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                segments.Add(new Segment(path[(i + 2)..end], null));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int index)) break;
                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else break;
        }
        return segments;
    }
}
