using System;
using System.Collections.Generic;

namespace Edge.Cli.CommandLine;

/// <summary>The result of parsing: global options, the verb (null when none was given), its options and arguments.</summary>
internal sealed class ParseResult
{
    public required ParsedOptions Global { get; init; }
    public CommandSpec? Command { get; init; }
    public required ParsedOptions Options { get; init; }
    public required List<string> Args { get; init; }
    public bool HelpRequested { get; init; }
    public bool VersionRequested { get; init; }
}

/// <summary>
/// A hand-written parser with urfave/cli's (and so runc's) conventions: "-flag" and "--flag" alike,
/// "--flag value" and "--flag=value", booleans as "--flag" or "--flag=false", global options before the
/// verb. Options may follow positional arguments, except after a verb's pass-through point (exec ARGS).
/// It allocates a handful of objects and costs nothing measurable at start-up (bench/results/startup.md).
/// </summary>
internal static class ArgParser
{
    public static ParseResult Parse(string[] args, OptionSpec[] globals, Func<string, CommandSpec?> findCommand)
    {
        var global = new ParsedOptions();
        int i = 0;
        for (; i < args.Length; i++)
        {
            string arg = args[i];
            if (!IsOption(arg)) break;
            if (arg == "--") { i++; break; }
            (string name, string? inline) = Split(arg);
            if (name is "h" or "help") return Help(global, null);
            if (name is "v" or "version") return new ParseResult { Global = global, Options = new(), Args = new(), VersionRequested = true };
            OptionSpec option = Lookup(globals, name) ?? throw new UsageException($"flag provided but not defined: -{name}");
            i = Take(option, inline, args, i, global);
        }

        if (i >= args.Length) return Help(global, null);

        string verb = args[i++];
        CommandSpec command = findCommand(verb) ?? throw new UsageException($"no such command \"{verb}\" (see 'edge help')");
        var options = new ParsedOptions();
        var positionals = new List<string>();

        // Verbs edge does not implement yet take anything, so that the error is about the verb, not a flag.
        if (command.Run is null)
        {
            for (; i < args.Length; i++) positionals.Add(args[i]);
            return new ParseResult { Global = global, Command = command, Options = options, Args = positionals };
        }

        for (; i < args.Length; i++)
        {
            string arg = args[i];
            if (command.RawArgsAfter >= 0 && positionals.Count >= command.RawArgsAfter && positionals.Count > 0)
            {
                if (arg == "--" && positionals.Count == command.RawArgsAfter) continue;
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                for (i++; i < args.Length; i++) positionals.Add(args[i]);
                break;
            }
            if (!IsOption(arg))
            {
                positionals.Add(arg);
                continue;
            }
            (string name, string? inline) = Split(arg);
            if (name is "h" or "help") return Help(global, command);
            OptionSpec option = command.Find(name)
                ?? throw new UsageException($"{command.Name}: flag provided but not defined: -{name}");
            i = Take(option, inline, args, i, options);
        }

        // runc's wording, which scripts and shims have seen for years.
        if (positionals.Count < command.MinArgs)
            throw new UsageException(command.MinArgs == command.MaxArgs
                ? $"\"{command.Name}\" requires exactly {command.MinArgs} argument(s)"
                : $"\"{command.Name}\" requires a minimum of {command.MinArgs} argument(s)");
        if (positionals.Count > command.MaxArgs && command.RawArgsAfter < 0)
            throw new UsageException(command.MinArgs == command.MaxArgs
                ? $"\"{command.Name}\" requires exactly {command.MaxArgs} argument(s)"
                : $"\"{command.Name}\" requires a maximum of {command.MaxArgs} argument(s)");

        return new ParseResult { Global = global, Command = command, Options = options, Args = positionals };
    }

    private static ParseResult Help(ParsedOptions global, CommandSpec? command) =>
        new() { Global = global, Command = command, Options = new(), Args = new(), HelpRequested = true };

    private static bool IsOption(string arg) => arg.Length > 1 && arg[0] == '-';

    private static (string Name, string? Inline) Split(string arg)
    {
        ReadOnlySpan<char> body = arg.AsSpan(arg.StartsWith("--", StringComparison.Ordinal) ? 2 : 1);
        int eq = body.IndexOf('=');
        return eq < 0 ? (body.ToString(), null) : (body[..eq].ToString(), body[(eq + 1)..].ToString());
    }

    private static OptionSpec? Lookup(OptionSpec[] options, string name)
    {
        foreach (OptionSpec option in options)
            if (option.Name == name || option.Short == name) return option;
        return null;
    }

    private static int Take(OptionSpec option, string? inline, string[] args, int i, ParsedOptions into)
    {
        if (!option.TakesValue)
        {
            if (inline is not null && inline is not ("true" or "false" or "1" or "0"))
                throw new UsageException($"invalid boolean value \"{inline}\" for -{option.Name}");
            into.Add(option.Name, inline is "false" or "0" ? "false" : "true");
            return i;
        }
        if (inline is not null)
        {
            into.Add(option.Name, inline);
            return i;
        }
        if (i + 1 >= args.Length) throw new UsageException($"flag needs an argument: -{option.Name}");
        into.Add(option.Name, args[i + 1]);
        return i + 1;
    }
}
