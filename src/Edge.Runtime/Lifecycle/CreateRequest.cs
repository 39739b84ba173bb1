namespace Edge.Runtime.Lifecycle;

/// <summary>The inputs of `create` (and of `run`'s first half).</summary>
public sealed class CreateRequest
{
    public required string Root { get; init; }
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>An already connected console socket (foreground `run` proxying the terminal itself).</summary>
    public int ConsoleSocketFd { get; init; } = -1;
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
    public bool SystemdCgroup { get; init; }
    /// <summary>The bundle's config when the caller has it already: read once (`run`), or made in memory (`run IMAGE`).</summary>
    public Oci.RuntimeSpec.Spec? Config { get; init; }

    public CreateRequest With(Oci.RuntimeSpec.Spec config, int consoleSocketFd) => new()
    {
        Root = Root, Id = Id, Bundle = Bundle, PidFile = PidFile, ConsoleSocket = consoleSocketFd >= 0 ? null : ConsoleSocket,
        ConsoleSocketFd = consoleSocketFd, NoPivot = NoPivot, NoNewKeyring = NoNewKeyring, PreserveFds = PreserveFds,
        SystemdCgroup = SystemdCgroup, Config = config,
    };
}
