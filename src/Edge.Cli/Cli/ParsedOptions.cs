using System.Collections.Generic;

namespace Edge.Cli.Cli;

/// <summary>Option values by canonical name, in the order given.</summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, List<string>> _values = new();

    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out List<string>? list)) _values[name] = list = new List<string>(1);
        list.Add(value);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The last value given (later flags win, as with Go's flag package).</summary>
    public string? Get(string name) => _values.TryGetValue(name, out List<string>? list) ? list[^1] : null;

    public IReadOnlyList<string> GetAll(string name) =>
        _values.TryGetValue(name, out List<string>? list) ? list : (IReadOnlyList<string>)System.Array.Empty<string>();

    /// <summary>A boolean flag: present without value, or =true/=false.</summary>
    public bool Flag(string name) => Get(name) is { } v && v != "false";
}
