using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Layers.Bundle;
using Edge.Linux;
using Edge.Runtime;
using Edge.Runtime.Lifecycle;

namespace Edge.Cli.Commands;

/// <summary>`edge run IMAGE [CMD...]`: pull if missing, snapshot, generate the bundle, run, clean up.</summary>
internal static class RunImage
{
    public static int Run(CommandContext context)
    {
        string imageText = context.Args[0];
        var command = new List<string>();
        for (int i = 1; i < context.Args.Count; i++) command.Add(context.Args[i]);
        bool detach = context.Options.Flag("detach");
        bool remove = context.Options.Flag("rm");
        if (detach && remove) throw new UsageException("--rm with --detach is not supported yet: remove it with `edge rm -f NAME`");
        string id = context.Options.Get("name") ?? "edge-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        if (!ContainerId.IsValid(id)) throw new UsageException($"invalid container name \"{id}\"");

        NotifyMode notify = NotifyModeOf(context.Options.Get("sd-notify"));
        if (notify != NotifyMode.None && detach) throw new UsageException("--sd-notify needs a foreground run (systemd's main process is edge)");
        int stopTimeout = StopTimeoutSeconds(context.Options.Get("stop-timeout"));

        StepTimer.Mark("run image: begin");
        var store = new ContentStore(context.Global.Store).Initialise();
        ImageRecord record = FindOrPull(context, store, imageText);
        StepTimer.Mark("run image: image found");
        ImageLayers image = ImageLayers.Load(store, record);
        StepTimer.Mark("run image: manifest and config read");
        string stopSignalText = context.Options.Get("stop-signal") ?? image.Config.Config?.StopSignal ?? "SIGTERM";
        int stopSignal = StopSignal(stopSignalText);

        var env = new List<string>(context.Options.GetAll("env"));
        var volumes = new List<string>(context.Options.GetAll("volume"));
        var behaviour = new ContainerRunner.Behaviour { Notify = notify, StopSignal = stopSignal, StopTimeoutSeconds = stopTimeout };
        if (notify != NotifyMode.Container) return Launch(context, store, image, id, command, env, volumes, behaviour);

        // --sd-notify=container: the container gets a socket of edge's at /run/notify/notify.sock, and what
        // its application sends there goes on to systemd.
        System.IO.DirectoryInfo notifyDir = System.IO.Directory.CreateTempSubdirectory("edge-notify-");
        try
        {
            using var relay = new SystemdNotify.Relay(System.IO.Path.Combine(notifyDir.FullName, "notify.sock"), SystemdNotify.Socket!);
            volumes.Add(notifyDir.FullName + ":/run/notify");
            env.Add("NOTIFY_SOCKET=/run/notify/notify.sock");
            return Launch(context, store, image, id, command, env, volumes, behaviour);
        }
        finally
        {
            notifyDir.Delete(recursive: true);
        }
    }

    private static int Launch(CommandContext context, ContentStore store, ImageLayers image, string id, List<string> command,
        List<string> env, List<string> volumes, ContainerRunner.Behaviour behaviour)
    {
        bool detach = context.Options.Flag("detach");
        bool remove = context.Options.Flag("rm");
        var options = new RunOptions
        {
            Command = command,
            Entrypoint = context.Options.Get("entrypoint"),
            Env = env,
            Volumes = volumes,
            User = context.Options.Get("user"),
            WorkingDir = context.Options.Get("workdir"),
            Hostname = context.Options.Get("hostname"),
            Terminal = context.Options.Flag("tty"),
            ReadOnly = context.Options.Flag("read-only"),
            Network = context.Options.Get("net") ?? "private",
        };
        NameReuse.ClearFor(store, context.Store, id, context.Options.Flag("replace"), context.Log.Warn);
        // The claim's lock is held while this run lives: a leftover whose lock is free has lost its edge (NameReuse).
        using ImageContainer.Claim claim = ImageContainer.Create(store, image, id, options, context.Log.Warn, remove && !detach);
        string bundle = claim.Bundle, instance = claim.Instance;
        StepTimer.Mark("run image: snapshot mounted, config.json written");
        try
        {
            var request = new CreateRequest
            {
                Root = context.Global.Root,
                Id = id,
                Bundle = bundle,
                PidFile = context.Options.Get("pid-file"),
                ConsoleSocket = context.Options.Get("console-socket"),
                SystemdCgroup = context.Global.SystemdCgroup,
            };
            if (!detach || request.ConsoleSocket is not null) return ContainerRunner.Run(request, detach, keep: false, context.Log.Warn, behaviour);
            // Detached, the container's output goes to a log beside its bundle (as podman keeps it), not to
            // whoever started it, and it reads nothing.
            int status = WithStdio(System.IO.Path.Combine(bundle, "output.log"), () => ContainerRunner.Run(request, detach: true, keep: false, context.Log.Warn));
            context.Output.WriteLine(id);
            return status;
        }
        catch
        {
            ImageContainer.Remove(store, id, instance);
            throw;
        }
        finally
        {
            if (!detach)
            {
                // The container is gone: its writable layer stays for inspection unless --rm. A --replace
                // may have given the name to a new container meanwhile: that one is left alone.
                if (remove) ImageContainer.Remove(store, id, instance);
                else if (ImageContainer.IsInstance(store, id, instance)) Libc.Umount2(System.IO.Path.Combine(bundle, "rootfs"), Libc.MNT_DETACH);
                StepTimer.Mark(remove ? "run image: container removed" : "run image: rootfs unmounted");
            }
        }
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

    /// <summary>A signal's name or number, as --stop-signal and an image's StopSignal give it.</summary>
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

    private static ImageRecord FindOrPull(CommandContext context, ContentStore store, string text)
    {
        List<ImageRecord> found = ImageNames.Find(store.Images(), text);
        if (found.Count > 0) return found[0];
        ImageReference reference = ImageReference.Parse(text);
        PlatformSpec platform = context.Options.Get("platform") is string p ? PlatformSpec.Parse(p) : PlatformSpec.Host();
        using var display = Libc.IsATty(2) == 1 ? new PullProgressDisplay(new StderrOutput()) : null;
        var puller = new ImagePuller(store, new RegistryOptions { Credentials = CredentialStore.Load() }) { Progress = display ?? IPullProgress.Silent };
        ImageRecord record = puller.PullAsync(reference, platform, context.Options.Has("platform")).GetAwaiter().GetResult();
        display?.Finish();
        return record;
    }

    /// <summary>Runs <paramref name="action"/> with fd 0 on /dev/null and fds 1 and 2 on <paramref name="log"/>, then restores them.</summary>
    private static int WithStdio(string log, Func<int> action)
    {
        int logFd = Libc.Open(log, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append | OpenFlags.CloseOnExec, 0x1A4);
        if (logFd < 0) throw new SystemCallException("open", log, ErrnoText.Last);
        int nullFd = Libc.Open("/dev/null", OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
        int[] saved = { Libc.Dup(0), Libc.Dup(1), Libc.Dup(2) };
        try
        {
            Libc.Dup3(nullFd, 0, 0);
            Libc.Dup3(logFd, 1, 0);
            Libc.Dup3(logFd, 2, 0);
            return action();
        }
        finally
        {
            for (int fd = 0; fd < 3; fd++)
            {
                if (saved[fd] < 0) continue;
                Libc.Dup3(saved[fd], fd, 0);
                Libc.Close(saved[fd]);
            }
            Libc.Close(logFd);
            Libc.Close(nullFd);
        }
    }

    /// <summary>Progress of an implicit pull goes to stderr: stdout belongs to the container.</summary>
    private sealed class StderrOutput : Output
    {
        protected override void Emit(int fd, ReadOnlySpan<byte> utf8) => base.Emit(2, utf8);
    }
}
