using System;
using System.CommandLine;

// Mirrors edge's command table: runc's global options and verbs with their common options.
var root = new RootCommand("edge");
var rootDir = new Option<string>("--root") { Recursive = true, DefaultValueFactory = _ => "/run/edge" };
var log = new Option<string?>("--log") { Recursive = true };
var logFormat = new Option<string>("--log-format") { Recursive = true, DefaultValueFactory = _ => "text" };
var debug = new Option<bool>("--debug") { Recursive = true };
var systemd = new Option<bool>("--systemd-cgroup") { Recursive = true };
foreach (Option o in new Option[] { rootDir, log, logFormat, debug, systemd }) root.Options.Add(o);

Command Verb(string name, params Option[] options)
{
    var command = new Command(name);
    foreach (Option o in options) command.Options.Add(o);
    command.Arguments.Add(new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore });
    root.Subcommands.Add(command);
    return command;
}

Verb("create", new Option<string>("--bundle", "-b"), new Option<string>("--pid-file"), new Option<string>("--console-socket"),
    new Option<bool>("--no-pivot"), new Option<bool>("--no-new-keyring"), new Option<int>("--preserve-fds"));
Verb("run", new Option<string>("--bundle", "-b"), new Option<bool>("--detach", "-d"), new Option<string>("--pid-file"));
Verb("start"); Verb("kill", new Option<bool>("--all", "-a")); Verb("delete", new Option<bool>("--force", "-f"));
Verb("list", new Option<string>("--format", "-f"), new Option<bool>("--quiet", "-q")); Verb("pause"); Verb("resume");
Verb("exec", new Option<string>("--cwd"), new Option<string[]>("--env", "-e"), new Option<bool>("--tty", "-t"),
    new Option<string>("--user", "-u"), new Option<string>("--process", "-p"), new Option<bool>("--detach", "-d"));
Verb("ps", new Option<string>("--format", "-f")); Verb("features"); Verb("spec", new Option<string>("--bundle", "-b"), new Option<bool>("--rootless"));
Command state = Verb("state");
state.SetAction(result =>
{
    // Same observable work as `edge state ID` for a missing container.
    string id = result.GetValue<string[]>("args")![0];
    Console.Error.WriteLine($"edge: container \"{id}\" does not exist");
    return 1;
});

ParseResult parsed = root.Parse(args);
return parsed.Invoke();
