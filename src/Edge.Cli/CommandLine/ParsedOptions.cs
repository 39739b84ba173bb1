using System;
using System.Collections.Generic;

namespace Edge.Cli.CommandLine;

/// <summary>
/// Option values by canonical name, in the order given. A plain list: a command line has a handful of
/// options, and a string-keyed dictionary would seed randomised hashing from /dev/urandom at every start.
/// </summary>
internal sealed class ParsedOptions
{
    private readonly List<KeyValuePair<string, string>> _values = new();

    public void Add(string name, string value) => _values.Add(new(name, value));

    public bool Has(string name) => IndexOfLast(name) >= 0;

    /// <summary>The last value given (later flags win, as with Go's flag package).</summary>
    public string? Get(string name) => IndexOfLast(name) is int i and >= 0 ? _values[i].Value : null;

    public IReadOnlyList<string> GetAll(string name)
    {
        var all = new List<string>();
        foreach (KeyValuePair<string, string> pair in _values)
            if (string.Equals(pair.Key, name, StringComparison.Ordinal)) all.Add(pair.Value);
        return all;
    }

    /// <summary>A boolean flag: present without value, or =true/=false.</summary>
    public bool Flag(string name) => Get(name) is { } v && v != "false";

    private int IndexOfLast(string name)
    {
        for (int i = _values.Count - 1; i >= 0; i--)
            if (string.Equals(_values[i].Key, name, StringComparison.Ordinal)) return i;
        return -1;
    }
}
