namespace Edge.Runtime.State;

/// <summary>What a lifecycle verb asks of a container, as far as its status decides.</summary>
public enum ContainerOperation
{
    Start,
    Pause,
    Resume,
    Kill,
    Exec,
    /// <summary>`exec --ignore-paused`.</summary>
    ExecIgnoringPause,
    Delete,
    /// <summary>`delete --force`: any status (a running container is killed first).</summary>
    DeleteForce,
}

/// <summary>
/// The container state machine: which operations each status (<see cref="ContainerStatus"/>) allows, and the
/// one-line error each refusal gives, in runc's words. The verbs read the status under the container's lock
/// and ask here; TransitionTests pins the whole table without a kernel.
/// </summary>
public static class Transitions
{
    /// <summary>Null when <paramref name="operation"/> may proceed on a container in <paramref name="status"/>, else why not.</summary>
    public static string? Refusal(ContainerOperation operation, string status, string id) => operation switch
    {
        ContainerOperation.Start => status switch
        {
            ContainerStatus.Created => null,
            ContainerStatus.Stopped => "cannot start a container that has stopped",
            _ => $"cannot start an already {status} container",
        },
        ContainerOperation.Pause => status switch
        {
            ContainerStatus.Running => null,
            ContainerStatus.Paused => "container already paused",
            _ => "container not running",
        },
        ContainerOperation.Resume => status == ContainerStatus.Paused ? null : "container not paused",
        // A create in progress has no init yet to signal.
        ContainerOperation.Kill => status is ContainerStatus.Stopped or ContainerStatus.Creating ? "container not running" : null,
        ContainerOperation.Exec or ContainerOperation.ExecIgnoringPause => status switch
        {
            ContainerStatus.Stopped => "cannot exec in a stopped container",
            ContainerStatus.Creating => "cannot exec in a container that is being created",
            ContainerStatus.Paused when operation == ContainerOperation.Exec => "cannot exec in a paused container (use --ignore-paused)",
            _ => null,
        },
        ContainerOperation.Delete => status is ContainerStatus.Running or ContainerStatus.Paused
            ? $"cannot delete container {id} that is not stopped: {status}"
            : null,
        ContainerOperation.DeleteForce => null,
        _ => $"unknown operation {operation}",
    };

    /// <summary>Throws the refusal, if any, as the verb's one-line error.</summary>
    public static void Check(ContainerOperation operation, string status, string id)
    {
        if (Refusal(operation, status, id) is string refusal) throw new RuntimeException(refusal);
    }
}
