using System;

namespace Edge.Cli.CommandLine;

/// <summary>
/// A verb: its options, usage line and handler. <see cref="RawArgsAfter"/> = N means that after the Nth
/// positional argument everything is passed through untouched (exec's process arguments).
/// </summary>
internal sealed class CommandSpec
{
    public required string Name { get; init; }
    public required string Summary { get; init; }
    public string Usage { get; init; } = "";
    public string? Description { get; init; }
    public OptionSpec[] Options { get; init; } = [];
    public int MinArgs { get; init; }
    public int MaxArgs { get; init; } = int.MaxValue;
    public int RawArgsAfter { get; init; } = -1;
    public bool Hidden { get; init; }
    /// <summary>Null for a verb edge knows but does not implement yet.</summary>
    public Func<CommandContext, int>? Run { get; init; }

    public OptionSpec? Find(string name)
    {
        foreach (OptionSpec option in Options)
            if (option.Name == name || option.Short == name) return option;
        return null;
    }
}
