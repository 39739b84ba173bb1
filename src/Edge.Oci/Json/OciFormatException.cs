using System;

namespace Edge.Oci.Json;

/// <summary>
/// A document that is not valid JSON or does not match its OCI schema. The message is the one line a user
/// sees: <c>config.json: $.process.args: expected array of strings (line 12)</c>.
/// </summary>
public sealed class OciFormatException : Exception
{
    public OciFormatException(string file, string? jsonPath, string problem, long? line)
        : base(Format(file, jsonPath, problem, line))
    {
        File = file;
        JsonPath = jsonPath;
        Problem = problem;
        Line = line;
    }

    public string File { get; }
    public string? JsonPath { get; }
    public string Problem { get; }
    /// <summary>1-based line in the document, when known.</summary>
    public long? Line { get; }

    private static string Format(string file, string? jsonPath, string problem, long? line)
    {
        string where = string.IsNullOrEmpty(jsonPath) ? file : $"{file}: {jsonPath}";
        return line is null ? $"{where}: {problem}" : $"{where}: {problem} (line {line})";
    }
}
