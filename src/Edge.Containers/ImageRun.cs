using System;
using System.Collections.Generic;
using System.IO;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Linux;
using Edge.Runtime;
using Edge.Runtime.Lifecycle;
using Edge.Runtime.State;

namespace Edge.Containers;

/// <summary>
/// `edge run IMAGE` as one operation: find the image (pull it if the store has none), make the container's
/// directory (snapshot rootfs, generated config), hand the config to the executor in memory, run, clean up.
/// The command line only parses flags into an <see cref="ImageRunRequest"/> and prints.
/// </summary>
public static class ImageRun
{
    /// <summary>The container's exit status in the foreground (128+N for a signal); 0 once started when detached.</summary>
    public static int Run(ImageRunRequest request, Action<string> warn)
    {
        StepTimer.Mark("run image: begin");
        var store = new ContentStore(request.StoreRoot).Initialise();
        ImageRecord record = FindOrPull(store, request);
        StepTimer.Mark("run image: image found");
        ImageLayers image = ImageLayers.Load(store, record);
        StepTimer.Mark("run image: manifest and config read");
        var behaviour = new ContainerRunner.Behaviour
        {
            Notify = request.Notify,
            StopSignal = request.StopSignal ?? ImageStopSignal(image, record.Name),
            StopTimeoutSeconds = request.StopTimeoutSeconds,
        };
        if (request.Notify != NotifyMode.Container) return Launch(request, store, image, request.Options, behaviour, warn);

        // --sd-notify=container: the container gets a socket of edge's at /run/notify/notify.sock, and what
        // its application sends there goes on to systemd.
        DirectoryInfo notifyDir = Directory.CreateTempSubdirectory("edge-notify-");
        try
        {
            using var relay = new SystemdNotify.Relay(Path.Combine(notifyDir.FullName, "notify.sock"), SystemdNotify.Socket!);
            RunOptions options = request.Options with
            {
                Volumes = [.. request.Options.Volumes, notifyDir.FullName + ":/run/notify"],
                Env = [.. request.Options.Env, "NOTIFY_SOCKET=/run/notify/notify.sock"],
            };
            return Launch(request, store, image, options, behaviour, warn);
        }
        finally
        {
            notifyDir.Delete(recursive: true);
        }
    }

    private static int Launch(ImageRunRequest request, ContentStore store, ImageLayers image, RunOptions options,
        ContainerRunner.Behaviour behaviour, Action<string> warn)
    {
        string id = request.Id;
        bool removeOnExit = request.RemoveOnExit && !request.Detach;
        var containers = new ContainerStore(request.StateRoot);
        NameReuse.ClearFor(store, containers, id, request.Replace, warn);
        // The claim's lock is held while this run lives: a leftover whose lock is free has lost its edge (NameReuse).
        using ImageContainer.Claim claim = ImageContainer.Create(store, image, id, options, warn, removeOnExit);
        StepTimer.Mark("run image: snapshot mounted, config.json written");
        try
        {
            var create = new CreateRequest
            {
                Root = request.StateRoot,
                Id = id,
                Bundle = claim.Bundle,
                Config = claim.Config,
                PidFile = request.PidFile,
                ConsoleSocket = request.ConsoleSocket,
                SystemdCgroup = request.SystemdCgroup,
            };
            if (!request.Detach || request.ConsoleSocket is not null)
                return ContainerRunner.Run(create, request.Detach, keep: false, warn, behaviour);
            // Detached, the container's output goes to a log beside its bundle (as podman keeps it), not to
            // whoever started it, and it reads nothing.
            return DetachedOutput.With(Path.Combine(claim.Bundle, "output.log"), () => ContainerRunner.Run(create, detach: true, keep: false, warn));
        }
        catch
        {
            ImageContainer.Remove(store, id, claim.Instance);
            throw;
        }
        finally
        {
            if (!request.Detach)
            {
                // The container is gone: its writable layer stays for inspection unless --rm. A --replace
                // may have given the name to a new container meanwhile: that one is left alone.
                if (removeOnExit) ImageContainer.Remove(store, id, claim.Instance);
                else if (ImageContainer.IsInstance(store, id, claim.Instance)) Libc.Umount2(Path.Combine(claim.Bundle, "rootfs"), Libc.MNT_DETACH);
                StepTimer.Mark(removeOnExit ? "run image: container removed" : "run image: rootfs unmounted");
            }
        }
    }

    /// <summary>The stored image <see cref="ImageRunRequest.Image"/> names, or else the one pulled from its registry.</summary>
    private static ImageRecord FindOrPull(ContentStore store, ImageRunRequest request)
    {
        List<ImageRecord> found = ImageNames.Find(store.Images(), request.Image);
        if (found.Count > 0) return found[0];
        ImageReference reference = ImageReference.Parse(request.Image);
        var puller = new ImagePuller(store, request.Registry()) { Progress = request.PullProgress };
        return puller.PullAsync(reference, request.Platform ?? PlatformSpec.Host(), platformRequested: request.Platform is not null).GetAwaiter().GetResult();
    }

    /// <summary>The image's StopSignal (a name or number), or SIGTERM when it has none.</summary>
    private static int ImageStopSignal(ImageLayers image, string imageName)
    {
        string? text = image.Config.Config?.StopSignal;
        if (text is null) return Signals.SIGTERM;
        int signal = Signals.Parse(text);
        return signal > 0 ? signal : throw new ImageException($"{imageName}: the image's stop signal \"{text}\" is not a signal");
    }
}
