using System;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Runtime.Lifecycle;

namespace Edge.Containers;

/// <summary>What `edge run IMAGE` asks for, already parsed and checked by the command line.</summary>
public sealed record ImageRunRequest
{
    /// <summary>A stored image's name or ID, or a reference to pull when the store has no such image.</summary>
    public required string Image { get; init; }
    /// <summary>The platform to pull; null: the host's (and then a single-platform image of another one is taken as it is).</summary>
    public PlatformSpec? Platform { get; init; }
    public required string Id { get; init; }
    public required RunOptions Options { get; init; }

    /// <summary>The image store (--store): images, layer snapshots and image containers' directories.</summary>
    public required string StoreRoot { get; init; }
    /// <summary>The executor's state directory (--root) and whether cgroups go through systemd.</summary>
    public required string StateRoot { get; init; }
    public bool SystemdCgroup { get; init; }
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }

    /// <summary>Start and return; the container's output goes to output.log beside its bundle.</summary>
    public bool Detach { get; init; }
    /// <summary>The container's directory goes when it exits (--rm); otherwise its writable layer stays.</summary>
    public bool RemoveOnExit { get; init; }
    /// <summary>A container that has the name already is removed first, running or not (--replace).</summary>
    public bool Replace { get; init; }

    public NotifyMode Notify { get; init; }
    /// <summary>What SIGTERM to edge becomes for the container; null: the image's StopSignal, else SIGTERM.</summary>
    public int? StopSignal { get; init; }
    public int StopTimeoutSeconds { get; init; } = 10;

    /// <summary>
    /// How a missing image is pulled (asked only when the store lacks it: a run of a stored image never reads
    /// registry credentials), and who hears of the pull's progress.
    /// </summary>
    public Func<RegistryOptions> Registry { get; init; } = static () => new RegistryOptions();
    public IPullProgress PullProgress { get; init; } = IPullProgress.Silent;
}
