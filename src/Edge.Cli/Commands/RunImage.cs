using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using Edge.Cli.CommandLine;
using Edge.Containers;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Linux;
using Edge.Runtime;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge run IMAGE [CMD...]`: its flags become an <see cref="ImageRunRequest"/>; <see cref="ImageRun"/> does the rest.</summary>
internal static class RunImage
{
    public static int Run(CommandContext context)
    {
        ImageRunRequest request = Parse(context);
        // Progress of an implicit pull goes to stderr: stdout belongs to the container.
        using var display = Libc.IsATty(2) == 1 ? new PullProgressDisplay(new StderrOutput()) : null;
        request = request with
        {
            Registry = static () => new RegistryOptions { Credentials = CredentialStore.Load() },
            PullProgress = display ?? IPullProgress.Silent,
        };
        int status = ImageRun.Run(request, context.Log.Warn);
        if (request.Detach) context.Output.WriteLine(request.Id);
        return status;
    }

    /// <summary>The request the flags describe; every flag's value is checked here, before anything is pulled or made.</summary>
    internal static ImageRunRequest Parse(CommandContext context)
    {
        ParsedOptions o = context.Options;
        bool detach = o.Flag("detach");
        if (detach && o.Flag("rm")) throw new UsageException("--rm with --detach is not supported yet: remove it with `edge rm -f NAME`");
        string id = o.Get("name") ?? "edge-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        if (!ContainerId.IsValid(id)) throw new UsageException($"invalid container name \"{id}\"");
        NotifyMode notify = NotifyModeOf(o.Get("sd-notify"));
        if (notify != NotifyMode.None && detach) throw new UsageException("--sd-notify needs a foreground run (systemd's main process is edge)");

        var command = new List<string>();
        for (int i = 1; i < context.Args.Count; i++) command.Add(context.Args[i]);
        return new ImageRunRequest
        {
            Image = context.Args[0],
            Platform = o.Get("platform") is string p ? PlatformSpec.Parse(p) : null,
            Id = id,
            Options = new RunOptions
            {
                Command = command,
                Entrypoint = o.Get("entrypoint"),
                Env = o.GetAll("env"),
                Volumes = o.GetAll("volume"),
                User = o.Get("user"),
                WorkingDir = o.Get("workdir"),
                Hostname = o.Get("hostname"),
                Terminal = o.Flag("tty"),
                ReadOnly = o.Flag("read-only"),
                Network = o.Get("net") ?? "private",
            },
            StoreRoot = context.Global.Store,
            StateRoot = context.Global.Root,
            SystemdCgroup = context.Global.SystemdCgroup,
            PidFile = o.Get("pid-file"),
            ConsoleSocket = o.Get("console-socket"),
            Detach = detach,
            RemoveOnExit = o.Flag("rm"),
            Replace = o.Flag("replace"),
            Notify = notify,
            StopSignal = o.Get("stop-signal") is string signal ? StopSignal(signal) : null,
            StopTimeoutSeconds = StopTimeoutSeconds(o.Get("stop-timeout")),
        };
    }

    /// <summary>
    /// --sd-notify: ready (default when $NOTIFY_SOCKET is set), container, or ignore. The value is checked even
    /// without $NOTIFY_SOCKET, so a typo in a unit shows up outside systemd too.
    /// </summary>
    private static NotifyMode NotifyModeOf(string? value)
    {
        NotifyMode mode = ParseNotifyMode(value);
        return SystemdNotify.Socket is null ? NotifyMode.None : mode;
    }

    /// <summary>--sd-notify's value: ready (the default), container or ignore. `generate systemd` checks it the same way.</summary>
    internal static NotifyMode ParseNotifyMode(string? value) => value switch
    {
        null or "ready" => NotifyMode.Ready,
        "container" => NotifyMode.Container,
        "ignore" => NotifyMode.None,
        _ => throw new UsageException($"--sd-notify \"{value}\": use ready, container or ignore"),
    };

    /// <summary>A signal's name or number, as --stop-signal gives it.</summary>
    internal static int StopSignal(string text)
    {
        int signal = Signals.Parse(text);
        return signal > 0 ? signal : throw new UsageException($"stop signal \"{text}\" is not a signal");
    }

    private static int StopTimeoutSeconds(string? value)
    {
        if (value is null) return 10;
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds))
            throw new UsageException($"--stop-timeout \"{value}\": a number of seconds");
        return seconds;
    }

    private sealed class StderrOutput : Output
    {
        protected override void Emit(int fd, System.ReadOnlySpan<byte> utf8) => base.Emit(2, utf8);
    }
}
