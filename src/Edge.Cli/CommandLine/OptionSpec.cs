namespace Edge.Cli.CommandLine;

/// <summary>One command-line option. <see cref="ValueName"/> null means a boolean flag.</summary>
internal sealed record OptionSpec(string Name, string? Short, string? ValueName, string Help, bool Repeatable = false, bool Hidden = false)
{
    public bool TakesValue => ValueName is not null;

    public static OptionSpec Flag(string name, string help, string? shortName = null) => new(name, shortName, null, help);

    public static OptionSpec Value(string name, string valueName, string help, string? shortName = null) =>
        new(name, shortName, valueName, help);

    public static OptionSpec List(string name, string valueName, string help, string? shortName = null) =>
        new(name, shortName, valueName, help, Repeatable: true);

    /// <summary>Accepted for compatibility with callers that pass it; does nothing and is not listed.</summary>
    public static OptionSpec Ignored(string name, bool takesValue) =>
        new(name, null, takesValue ? "VALUE" : null, "", Hidden: true);
}
