using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Edge.Cli.CommandLine;
using Edge.Runtime;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge generate systemd [options] IMAGE [COMMAND...]`: prints a unit that runs the image as a service,
/// as `podman generate systemd --new` did. The unit's ExecStart is `edge run --rm --replace --name NAME`,
/// so a restart after edge itself was killed finds the name free; Type=notify with edge's READY=1;
/// Delegate=yes so the container's cgroup beside edge's (docs/confinement.md) stays edge's to manage.
/// </summary>
internal static class GenerateCommand
{
    private static readonly string[] RestartValues = { "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always" };

    public static readonly CommandSpec Definition = new()
    {
        Name = "generate",
        Summary = "print a systemd unit that runs an image (edge generate systemd [options] IMAGE [COMMAND...])",
        Usage = "systemd [options] IMAGE [COMMAND [ARG...]]",
        Description = """
   Prints a service unit (Type=notify) whose ExecStart is `edge run --rm --replace --name NAME ... IMAGE`
   with the options given. Install it as /etc/systemd/system/NAME.service, then
   `systemctl daemon-reload && systemctl enable --now NAME`. The image options are edge run's.
""",
        MinArgs = 2,
        RawArgsAfter = 2,
        Options =
        [
            OptionSpec.Value("name", "NAME", "the container's name, and the unit's (default: edge-<image name>)"),
            OptionSpec.Value("description", "TEXT", "the unit's Description="),
            OptionSpec.Value("restart", "POLICY", "the unit's Restart= (no, on-success, on-failure (default), on-abnormal, on-watchdog, on-abort, always)"),
            OptionSpec.Value("restart-sec", "SECONDS", "the unit's RestartSec= (default 2)"),
            OptionSpec.Value("stop-timeout", "SECONDS", "SIGKILL the container this long after systemctl stop's SIGTERM (default 10); TimeoutStopSec= is 5 s more"),
            OptionSpec.Value("executable", "PATH", "edge's path in ExecStart (default: this edge's)"),
            .. RunCommand.ContainerOptions,
        ],
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        if (context.Args[0] != "systemd") throw new UsageException($"generate \"{context.Args[0]}\": edge generates systemd units only (edge generate systemd IMAGE)");
        string image = context.Args[1];
        var command = new List<string>();
        for (int i = 2; i < context.Args.Count; i++) command.Add(context.Args[i]);
        context.Output.Write(Unit(context, image, command));
        return 0;
    }

    private static string Unit(CommandContext context, string image, List<string> command)
    {
        ParsedOptions o = context.Options;
        string name = o.Get("name") ?? "edge-" + ShortName(image);
        if (!ContainerId.IsValid(name)) throw new UsageException($"invalid container name \"{name}\"");
        string restart = o.Get("restart") ?? "on-failure";
        if (Array.IndexOf(RestartValues, restart) < 0) throw new UsageException($"--restart \"{restart}\": use {string.Join(", ", RestartValues)}");
        int restartSec = Seconds(o.Get("restart-sec"), "--restart-sec", 2);
        int stopTimeout = Seconds(o.Get("stop-timeout"), "--stop-timeout", 10);
        if (o.Get("stop-signal") is { } stopSignal) RunImage.StopSignal(stopSignal);
        NotifyMode notify = RunImage.ParseNotifyMode(o.Get("sd-notify"));
        string executable = o.Get("executable") ?? Environment.ProcessPath ?? "/usr/local/bin/edge";
        if (!executable.StartsWith('/')) throw new UsageException($"--executable \"{executable}\": systemd needs an absolute path");

        var exec = new List<string> { executable };
        // A store or state root other than the defaults (--store, $EDGE_STORE, --root) is written out: the
        // unit has none of this shell's environment.
        if (context.Global.Store != Edge.Image.Store.ContentStore.DefaultRoot) { exec.Add("--store"); exec.Add(System.IO.Path.GetFullPath(context.Global.Store)); }
        if (context.Global.Root != Edge.Runtime.State.ContainerStore.DefaultRoot(Edge.Linux.Libc.GetEffectiveUid())) { exec.Add("--root"); exec.Add(System.IO.Path.GetFullPath(context.Global.Root)); }
        exec.AddRange(new[] { "run", "--rm", "--replace", "--name", name, "--stop-timeout", stopTimeout.ToString(CultureInfo.InvariantCulture) });
        foreach (OptionSpec option in RunCommand.ContainerOptions)
        {
            if (!option.TakesValue) { if (o.Flag(option.Name)) exec.Add("--" + option.Name); continue; }
            IEnumerable<string> values = option.Repeatable ? o.GetAll(option.Name) : o.Get(option.Name) is { } one ? new[] { one } : Array.Empty<string>();
            foreach (string v in values) { exec.Add("--" + option.Name); exec.Add(v); }
        }
        exec.Add(image);
        exec.AddRange(command);

        var unit = new StringBuilder();
        unit.Append("# ").Append(name).Append(".service: generated by `edge generate systemd`. Install it as\n");
        unit.Append("# /etc/systemd/system/").Append(name).Append(".service, then: systemctl daemon-reload && systemctl enable --now ").Append(name).Append('\n');
        unit.Append("# edge pulls the image on the first start if the store lacks it (or load it once: edge load image.tar).\n");
        unit.Append("[Unit]\n");
        unit.Append("Description=").Append(Line(o.Get("description") ?? $"{name} container ({image}), run by edge")).Append('\n');
        unit.Append("Wants=network-online.target\nAfter=network-online.target\n\n");
        unit.Append("[Service]\n");
        if (notify == NotifyMode.None)
        {
            unit.Append("Type=exec\n");
        }
        else
        {
            unit.Append("# edge sends READY=1 once the container's process runs (--sd-notify=container: the application does).\n");
            unit.Append("Type=notify\nNotifyAccess=main\n");
        }
        unit.Append("# edge moves itself into a leaf of the unit's cgroup and puts the container beside it.\n");
        unit.Append("Delegate=yes\n");
        unit.Append("# --replace: a restart after edge itself was killed finds the name free.\n");
        unit.Append("ExecStart=").Append(string.Join(' ', exec.ConvertAll(Word))).Append('\n');
        unit.Append("# systemctl stop: SIGTERM to edge, which sends the container its stop signal, then SIGKILL after\n");
        unit.Append("# --stop-timeout. edge exits with the container's status (128+N for signal N): 143 and 137 are clean stops.\n");
        unit.Append("KillMode=mixed\n");
        unit.Append("TimeoutStopSec=").Append(stopTimeout + 5).Append('\n');
        unit.Append("SuccessExitStatus=143 137\n");
        unit.Append("Restart=").Append(restart).Append('\n');
        unit.Append("RestartSec=").Append(restartSec).Append('\n');
        unit.Append("StandardOutput=journal\nStandardError=journal\n\n");
        unit.Append("[Install]\nWantedBy=multi-user.target\n");
        return unit.ToString();
    }

    private static int Seconds(string? value, string option, int fallback)
    {
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 86400)
            throw new UsageException($"{option} \"{value}\": a number of seconds");
        return seconds;
    }

    /// <summary>The image's last path component without tag or digest, in the characters a name may have.</summary>
    private static string ShortName(string image)
    {
        string last = image[(image.LastIndexOf('/') + 1)..];
        int cut = last.IndexOfAny(new[] { ':', '@' });
        if (cut >= 0) last = last[..cut];
        var sb = new StringBuilder();
        foreach (char c in last) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        return sb.Length == 0 ? "container" : sb.ToString();
    }

    /// <summary>A value on one unit line: newlines would start a new directive, and % is a specifier.</summary>
    private static string Line(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text) sb.Append(c == '%' ? "%%" : char.IsControl(c) ? " " : c.ToString());
        return sb.ToString();
    }

    /// <summary>
    /// One ExecStart word, as systemd.service(5) reads it: % is a specifier and $ a variable (both doubled),
    /// and a word with spaces, quotes, backslashes or control characters goes in double quotes with C escapes.
    /// </summary>
    public static string Word(string word)
    {
        bool quote = word.Length == 0 || word == ";";
        var sb = new StringBuilder();
        foreach (char c in word)
        {
            switch (c)
            {
                case '%': sb.Append("%%"); break;
                case '$': sb.Append("$$"); break;
                case '\\': sb.Append("\\\\"); quote = true; break;
                case '"': sb.Append("\\\""); quote = true; break;
                case '\'': sb.Append('\''); quote = true; break;
                case '\n': sb.Append("\\n"); quote = true; break;
                case '\t': sb.Append("\\t"); quote = true; break;
                case ' ': sb.Append(' '); quote = true; break;
                default:
                    if (char.IsControl(c)) { sb.Append(c < 0x80 ? "\\x" : "\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); quote = true; }
                    else sb.Append(c);
                    break;
            }
        }
        return quote ? "\"" + sb + "\"" : sb.ToString();
    }
}
