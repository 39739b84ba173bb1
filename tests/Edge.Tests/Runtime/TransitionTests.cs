using Edge.Runtime.State;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The container state machine (State/Transitions.cs): every status against every operation, with runc's
/// words for each refusal. The lifecycle tests check the same messages through real containers.
/// </summary>
public class TransitionTests
{
    private const string Ok = "";

    public static TheoryData<ContainerOperation, string, string> Table => new()
    {
        { ContainerOperation.Start, ContainerStatus.Creating, "cannot start an already creating container" },
        { ContainerOperation.Start, ContainerStatus.Created, Ok },
        { ContainerOperation.Start, ContainerStatus.Running, "cannot start an already running container" },
        { ContainerOperation.Start, ContainerStatus.Paused, "cannot start an already paused container" },
        { ContainerOperation.Start, ContainerStatus.Stopped, "cannot start a container that has stopped" },

        { ContainerOperation.Pause, ContainerStatus.Creating, "container not running" },
        { ContainerOperation.Pause, ContainerStatus.Created, "container not running" },
        { ContainerOperation.Pause, ContainerStatus.Running, Ok },
        { ContainerOperation.Pause, ContainerStatus.Paused, "container already paused" },
        { ContainerOperation.Pause, ContainerStatus.Stopped, "container not running" },

        { ContainerOperation.Resume, ContainerStatus.Creating, "container not paused" },
        { ContainerOperation.Resume, ContainerStatus.Created, "container not paused" },
        { ContainerOperation.Resume, ContainerStatus.Running, "container not paused" },
        { ContainerOperation.Resume, ContainerStatus.Paused, Ok },
        { ContainerOperation.Resume, ContainerStatus.Stopped, "container not paused" },

        // A created container's init waits on the exec fifo and can be signalled (runc allows it too).
        { ContainerOperation.Kill, ContainerStatus.Creating, "container not running" },
        { ContainerOperation.Kill, ContainerStatus.Created, Ok },
        { ContainerOperation.Kill, ContainerStatus.Running, Ok },
        { ContainerOperation.Kill, ContainerStatus.Paused, Ok },
        { ContainerOperation.Kill, ContainerStatus.Stopped, "container not running" },

        { ContainerOperation.Exec, ContainerStatus.Creating, "cannot exec in a container that is being created" },
        { ContainerOperation.Exec, ContainerStatus.Created, Ok },
        { ContainerOperation.Exec, ContainerStatus.Running, Ok },
        { ContainerOperation.Exec, ContainerStatus.Paused, "cannot exec in a paused container (use --ignore-paused)" },
        { ContainerOperation.Exec, ContainerStatus.Stopped, "cannot exec in a stopped container" },
        { ContainerOperation.ExecIgnoringPause, ContainerStatus.Paused, Ok },
        { ContainerOperation.ExecIgnoringPause, ContainerStatus.Stopped, "cannot exec in a stopped container" },

        { ContainerOperation.Delete, ContainerStatus.Creating, Ok },
        { ContainerOperation.Delete, ContainerStatus.Created, Ok },
        { ContainerOperation.Delete, ContainerStatus.Running, "cannot delete container c1 that is not stopped: running" },
        { ContainerOperation.Delete, ContainerStatus.Paused, "cannot delete container c1 that is not stopped: paused" },
        { ContainerOperation.Delete, ContainerStatus.Stopped, Ok },
        { ContainerOperation.DeleteForce, ContainerStatus.Running, Ok },
        { ContainerOperation.DeleteForce, ContainerStatus.Paused, Ok },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EachStatusAllowsOrRefusesEachOperation(ContainerOperation operation, string status, string refusal)
    {
        Assert.Equal(refusal == Ok ? null : refusal, Transitions.Refusal(operation, status, "c1"));
        if (refusal == Ok) Transitions.Check(operation, status, "c1");
        else Assert.Equal(refusal, Assert.Throws<Edge.Runtime.RuntimeException>(() => Transitions.Check(operation, status, "c1")).Message);
    }
}
