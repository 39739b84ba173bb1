using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Edge.Linux;

namespace Edge.Oci.Json;

/// <summary>
/// Words a reader's failure as "file: $.json.path: what was expected, got what (line N)". The reader says
/// what it expected (<see cref="FastJson.Mismatch"/>) and where it stopped; the path, the value found and the
/// line come from walking the document again up to that position. This runs only on the error path.
/// </summary>
internal static class JsonErrors
{
    /// <param name="utf8">The document, without a byte order mark.</param>
    /// <param name="offset">Where the failing token starts.</param>
    /// <param name="mismatch">What the reader expected; null when the document is not JSON.</param>
    public static OciFormatException Describe(ReadOnlySpan<byte> utf8, long offset, FastJson.Mismatch? mismatch, string file)
    {
        // Malformed JSON anywhere is reported first, as such, wherever the reader stopped.
        long? syntax = SyntaxErrorLine(utf8);
        if (syntax is not null || mismatch is null)
            return new OciFormatException(file, null, "invalid JSON", syntax ?? 1);

        Place place = Locate(utf8, offset);
        if (mismatch.MissingField is { } field)
            return new OciFormatException(file, place.ContainerPath, $"missing required field \"{field}\"", LineAt(utf8, place.ContainerStart));
        if (mismatch.Item is int item)
            return new OciFormatException(file, place.ContainerPath, $"expected {mismatch.Expected}, got {place.Value} at [{item}]", LineAt(utf8, place.Start));
        return new OciFormatException(file, place.Path, $"expected {mismatch.Expected}, got {place.Value}", LineAt(utf8, place.Start));
    }

    /// <summary>The 1-based line of the first syntax error, or null when the document is well-formed JSON.</summary>
    private static long? SyntaxErrorLine(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, FastJson.Options);
        try
        {
            while (reader.Read()) { }
            return reader.BytesConsumed == 0 ? 1 : null;
        }
        catch (JsonException ex)
        {
            return (ex.LineNumber ?? 0) + 1;
        }
    }

    /// <summary>
    /// The token at <paramref name="offset"/>: its JSON path and what it is, and the innermost container
    /// that holds it (for an end token, the container it ends).
    /// </summary>
    private readonly record struct Place(string Path, long Start, string Value, string ContainerPath, long ContainerStart);

    private sealed class Container(bool array, long start, int pathLength)
    {
        public bool Array { get; } = array;
        public long Start { get; } = start;
        /// <summary>The length of this container's own path; its values' slots are appended after it.</summary>
        public int PathLength { get; } = pathLength;
        public int Count { get; set; }
    }

    private static Place Locate(ReadOnlySpan<byte> utf8, long offset)
    {
        var reader = new Utf8JsonReader(utf8, FastJson.Options);
        var path = new StringBuilder("$");
        var open = new Stack<Container>();
        string? name = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = NameOf(ref reader);
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                {
                    Container done = open.Pop();
                    if (reader.TokenStartIndex >= offset)
                    {
                        string own = path.ToString(0, done.PathLength);
                        return new Place(own, done.Start, done.Array ? "array" : "object", own, done.Start);
                    }
                    path.Length = open.TryPeek(out Container? outer) ? outer.PathLength : 1;
                    continue;
                }
            }

            // A value: its slot in the enclosing container.
            int before = path.Length;
            string containerPath = path.ToString();
            long containerStart = open.TryPeek(out Container? parent) ? parent.Start : 0;
            if (parent is { Array: true }) path.Append('[').Append(parent.Count++).Append(']');
            else if (parent is not null) AppendName(path, name ?? "");

            if (reader.TokenStartIndex >= offset)
                return new Place(path.ToString(), reader.TokenStartIndex, Describe(ref reader), containerPath, containerStart);

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                open.Push(new Container(reader.TokenType == JsonTokenType.StartArray, reader.TokenStartIndex, path.Length));
            else
                path.Length = before;
        }
        return new Place("$", 0, "nothing", "$", 0);
    }

    private static string NameOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return "?"; // not valid UTF-8
        }
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    /// <summary>A name from the document is the document's: control characters are escaped, long names cut.</summary>
    private static void AppendName(StringBuilder path, string name)
    {
        if (IsPlainName(name)) path.Append('.').Append(name);
        else path.Append("['").Append(Printable.Short(name, 64)).Append("']");
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static long LineAt(ReadOnlySpan<byte> utf8, long offset) =>
        1 + utf8[..(int)Math.Min(offset, utf8.Length)].Count((byte)'\n');
}
