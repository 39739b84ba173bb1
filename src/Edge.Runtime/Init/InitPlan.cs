using System;
using System.Collections.Generic;

namespace Edge.Runtime.Init;

/// <summary>
/// The init program under construction: steps in native memory plus, for each, the words that describe it
/// in an error ("mount `proc` on `/proc`"), and the inherited fds the init may keep. The child reports a
/// failing step by index.
/// </summary>
public sealed unsafe class InitPlan : IDisposable
{
    /// <summary>
    /// A container's plan has 70 to 120 steps: sized for that up front, as growing by doubling would leave
    /// twice the final size behind, all of it fresh heap pages.
    /// </summary>
    private const int TypicalSteps = 128;
    private readonly List<InitStep> _steps = new(TypicalSteps);
    /// <summary>Per step: its words in an error, and an errno those words already explain (0: none).</summary>
    private readonly List<(string Text, int Explains)> _descriptions = new(TypicalSteps);
    private readonly SortedSet<int> _keepSetup = new(), _keepExec = new();

    public NativeArena Arena { get; } = new();

    public int Count => _steps.Count;

    /// <summary>The steps as built, for tests and --debug: what the init will do, in order.</summary>
    public IReadOnlyList<InitStep> Steps => _steps;

    /// <summary>"step: why", or the step's words alone when they already say what <paramref name="error"/> means.</summary>
    public string Describe(int step, int error, string why)
    {
        if (step < 0 || step >= _descriptions.Count) return $"init step {step}: {why}";
        (string text, int explains) = _descriptions[step];
        return explains == error && error != 0 ? text : $"{text}: {why}";
    }

    /// <summary>The words of step <paramref name="step"/>.</summary>
    public string Description(int step) => _descriptions[step].Text;

    /// <param name="explains">An errno the description already words (a PATH search's ENOENT), left out of the error.</param>
    public InitPlan Add(InitOp op, string description, long a = 0, long b = 0, long c = 0, long d = 0,
        byte* s1 = null, byte* s2 = null, byte* s3 = null, byte* s4 = null, int explains = 0)
    {
        _steps.Add(new InitStep { Op = op, A = a, B = b, C = c, D = d, S1 = s1, S2 = s2, S3 = s3, S4 = s4 });
        _descriptions.Add((description, explains));
        return this;
    }

    /// <summary>The inherited fds the init keeps through set-up, and those it keeps until execve.</summary>
    public IReadOnlyCollection<int> KeptForSetUp => _keepSetup;
    public IReadOnlyCollection<int> KeptUntilExec => _keepExec;

    /// <summary>
    /// An inherited fd the init needs: until execve (the container's process gets it: exec fifo, --preserve-fds)
    /// or only during set-up (namespaces to join, the console socket). Every other fd is closed by the init's
    /// CloseFds steps before anything in the container is resolved.
    /// </summary>
    public void KeepFd(int fd, bool untilExec)
    {
        if (fd < 0) return;
        _keepSetup.Add(fd);
        if (untilExec) _keepExec.Add(fd);
    }

    /// <summary>
    /// The argv the exec stub (Native/exec-stub.c) takes: "edge-exec", the report fd and the step (both filled
    /// in by the init), the executable (<paramref name="path"/>, or filled in from ResolveExec when null), then
    /// <paramref name="args"/>.
    /// </summary>
    public byte** StubArgv(string? path, IReadOnlyList<string> args)
    {
        byte** argv = (byte**)Arena.Alloc((args.Count + 5) * sizeof(nint));
        argv[0] = Arena.String("edge-exec");
        argv[1] = Arena.Alloc(24);
        argv[2] = Arena.Alloc(24);
        argv[2][0] = (byte)'0';
        argv[3] = path is null ? null : Arena.String(path);
        for (int i = 0; i < args.Count; i++) argv[4 + i] = Arena.String(args[i]);
        argv[4 + args.Count] = null;
        return argv;
    }

    /// <summary>Copies the steps into native memory and fills the header the child reads.</summary>
    public InitProgram* Build(int syncFd)
    {
        InitStep* steps = (InitStep*)Arena.Alloc(_steps.Count * sizeof(InitStep));
        for (int i = 0; i < _steps.Count; i++) steps[i] = _steps[i];
        InitProgram* program = (InitProgram*)Arena.Alloc(sizeof(InitProgram));
        program->Steps = steps;
        program->Count = _steps.Count;
        program->SyncFd = syncFd;
        program->ExecPathSize = 4096;
        program->ExecPath = Arena.Alloc(program->ExecPathSize);
        // The hooks' state documents need room only when the init runs hooks (ReceiveState); 64 KiB of
        // zeroed memory is 16 page faults otherwise spent for nothing.
        program->StateSize = _steps.Exists(s => s.Op == InitOp.ReceiveState) ? 64 * 1024 : 1;
        program->State = Arena.Alloc(program->StateSize);
        program->KeepSetup = Fds(_keepSetup, out program->KeepSetupCount);
        program->KeepExec = Fds(_keepExec, out program->KeepExecCount);
        program->StubFd = program->ProcFd = -1;
        program->NoOpenat2 = Edge.Linux.InRoot.ForcedWalk ? 1 : 0;
        return program;
    }

    private int* Fds(SortedSet<int> fds, out int count)
    {
        count = fds.Count;
        int* array = (int*)Arena.Alloc(Math.Max(1, fds.Count) * sizeof(int));
        int i = 0;
        foreach (int fd in fds) array[i++] = fd;
        return array;
    }

    public void Dispose() => Arena.Dispose();
}
