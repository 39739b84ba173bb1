using System;
using System.Collections.Generic;
using Edge.Cli.CommandLine;
using Edge.Cli.Commands;
using Edge.Linux;
using Edge.Runtime;

namespace Edge.Cli;

/// <summary>The verb table and the top-level dispatch. Each verb lives in its own file under Commands/ (pause and resume share FreezerCommands).</summary>
internal static class EdgeCli
{
    public static readonly OptionSpec[] GlobalOptions =
    {
        OptionSpec.Flag("debug", "enable debug logging"),
        OptionSpec.Value("log", "FILE", "set the log file to write edge logs to (default is '/dev/stderr')"),
        OptionSpec.Value("log-format", "FORMAT", "set the log format ('text' (default), or 'json')"),
        OptionSpec.Value("root", "DIR", "root directory for storage of container state (default: \"/run/edge\")"),
        OptionSpec.Flag("systemd-cgroup", "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\""),
        OptionSpec.Value("rootless", "true|false|auto", "ignore cgroup permission errors (default: \"auto\")"),
        OptionSpec.Value("store", "DIR", "image content store (default: \"/var/lib/edge\", or $EDGE_STORE)"),
        OptionSpec.Ignored("criu", takesValue: true),
    };

    /// <summary>The verbs in help's order. Each verb's definition is built only when it is looked up: a call of
    /// `edge state` initialises the state verb alone, not all of them (fewer pages touched at start-up,
    /// bench/results/size.md). Every name here resolves through <see cref="Find"/> (a test checks it).</summary>
    public static readonly string[] Names =
    {
        "checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps", "restore", "resume", "run",
        "spec", "start", "state", "update", "features", "pull", "images", "rmi", "prune", "inspect", "load", "save",
        "unpack", "rm", "generate", "help",
    };

    public static IReadOnlyList<CommandSpec> Commands()
    {
        var all = new List<CommandSpec>(Names.Length);
        foreach (string name in Names) all.Add(Find(name)!);
        return all;
    }

    public static CommandSpec? Find(string name) => name switch
    {
        "checkpoint" => Pending("checkpoint", "checkpoint a running container", "<container-id>"),
        "create" => CreateCommand.Definition,
        "delete" => DeleteCommand.Definition,
        "events" => EventsCommand.Definition,
        "exec" => ExecCommand.Definition,
        "kill" => KillCommand.Definition,
        "list" => ListCommand.Definition,
        "pause" => FreezerCommands.Pause,
        "ps" => PsCommand.Definition,
        "restore" => RestoreCommand.Definition,
        "resume" => FreezerCommands.Resume,
        "run" => RunCommand.Definition,
        "spec" => SpecCommand.Definition,
        "start" => StartCommand.Definition,
        "state" => StateCommand.Definition,
        "update" => UpdateCommand.Definition,
        "features" => FeaturesCommand.Definition,
        "pull" => PullCommand.Definition,
        "images" => ImagesCommand.Definition,
        "rmi" => RmiCommand.Definition,
        "prune" => PruneCommand.Definition,
        "inspect" => InspectCommand.Definition,
        "load" => LoadCommand.Definition,
        "save" => SaveCommand.Definition,
        "unpack" => UnpackCommand.Definition,
        "rm" => RmCommand.Definition,
        "generate" => GenerateCommand.Definition,
        "help" or "h" => HelpVerb,
        _ => null,
    };

    private static readonly CommandSpec HelpVerb = new() { Name = "help", Summary = "shows a list of commands or help for one command", Usage = "[command]", MaxArgs = 1, Run = _ => 0 };

    private static CommandSpec Pending(string name, string summary, string usage) => new() { Name = name, Summary = summary, Usage = usage };

    public static int Run(string[] args, Output output)
    {
        ParseResult parsed;
        try
        {
            parsed = ArgParser.Parse(args, GlobalOptions, Find);
        }
        catch (UsageException ex)
        {
            output.Error("edge: " + ex.Message);
            return 1;
        }

        GlobalOptions global = ResolveGlobals(parsed.Global);
        var log = new Log(global.LogFile, global.LogFormat, global.Debug, output);
        if (log.Open() is { } logError)
        {
            output.Error("edge: " + logError);
            return 1;
        }
        if (global.Debug)
        {
            StepTimer.Sink = log.DebugMessage;
            // Every exception, also those handled: expected conditions (a missing optional file) must not throw on
            // the lifecycle's paths, as each throw costs time and unwinding pages; the tests check this line's absence.
            AppDomain.CurrentDomain.FirstChanceException += (_, e) => ReportThrow(log, e.Exception);
        }

        if (parsed.VersionRequested) return VersionCommand.Run(output);
        if (parsed.HelpRequested || parsed.Command is null)
        {
            output.Write(parsed.Command is null ? Help.Overview(Commands(), GlobalOptions) : Help.ForCommand(parsed.Command));
            return 0;
        }

        CommandSpec command = parsed.Command;
        if (command.Name == "help")
        {
            CommandSpec? topic = parsed.Args.Count > 0 ? Find(parsed.Args[0]) : null;
            if (parsed.Args.Count > 0 && topic is null) return Fail(output, log, $"no such command \"{parsed.Args[0]}\"", null);
            output.Write(topic is null ? Help.Overview(Commands(), GlobalOptions) : Help.ForCommand(topic));
            return 0;
        }
        if (command.Run is null)
            return Fail(output, log, $"{command.Name}: not implemented yet in edge {BuildInfo.Version}", null);

        var context = new CommandContext
        {
            Command = command,
            Options = parsed.Options,
            Args = parsed.Args,
            Global = global,
            Output = output,
            Log = log,
            Fail = message => Fail(output, log, message, null),
        };
        try
        {
            return command.Run(context);
        }
        catch (Exception ex) when (ErrorReport.IsExpected(ex))
        {
            return Fail(output, log, ErrorText.Describe(ex), global.Debug ? ex : null);
        }
        catch (Exception ex)
        {
            // A bug, not bad input: still one line, with the stack only under --debug.
            return Fail(output, log, $"internal error: {ex.GetType().Name}: {ErrorText.Describe(ex)}", global.Debug ? ex : null);
        }
    }

    [ThreadStatic] private static bool _reportingThrow;

    /// <summary>--debug's line for an exception thrown. A throw while writing it (stderr closed) raises this
    /// event again: it is dropped rather than reported into a recursion.</summary>
    private static void ReportThrow(Log log, Exception ex)
    {
        if (_reportingThrow) return;
        _reportingThrow = true;
        try { log.DebugMessage($"exception thrown: {ex.GetType().Name}: {ex.Message}"); }
        catch (Exception) { } // the report is best effort; the command's own error path still runs
        finally { _reportingThrow = false; }
    }

    private static GlobalOptions ResolveGlobals(ParsedOptions options)
    {
        string? format = options.Get("log-format");
        if (format is not (null or "text" or "json"))
            throw new UsageException($"unknown log-format \"{format}\"");
        return new GlobalOptions
        {
            Root = options.Get("root") is { Length: > 0 } root ? root : Edge.Runtime.State.ContainerStore.DefaultRoot(Libc.GetEffectiveUid()),
            LogFile = options.Get("log"),
            LogFormat = format == "json" ? LogFormat.Json : LogFormat.Text,
            Debug = options.Flag("debug"),
            SystemdCgroup = options.Flag("systemd-cgroup"),
            Rootless = options.Get("rootless") ?? "auto",
            Store = options.Get("store") is { Length: > 0 } store ? store
                : Environment.GetEnvironmentVariable("EDGE_STORE") is { Length: > 0 } env ? env : Edge.Image.Store.ContentStore.DefaultRoot,
        };
    }

    private static int Fail(Output output, Log log, string message, Exception? detail)
    {
        // One line, whatever it quotes: names and values from images, registries and configs may hold control
        // characters (a forged log line, terminal escapes) or be very long.
        message = Printable.Short(message, 8192);
        log.Error(message);
        output.Error("edge: " + message);
        if (detail is not null) output.Error(DebugStack.Describe(detail));
        return 1;
    }
}
