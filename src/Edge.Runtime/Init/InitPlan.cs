using System;
using System.Collections.Generic;
using Edge.Linux;

namespace Edge.Runtime.Init;

/// <summary>
/// The init program under construction: steps in native memory plus, for each, the words that describe it
/// in an error ("mount `proc` on `/proc`"). The child reports a failing step by index.
/// </summary>
public sealed unsafe class InitPlan : IDisposable
{
    private readonly List<InitStep> _steps = new();
    /// <summary>Per step: its words in an error, and an errno those words already explain (0: none).</summary>
    private readonly List<(string Text, int Explains)> _descriptions = new();

    public NativeArena Arena { get; } = new();

    public int Count => _steps.Count;

    /// <summary>"step: why", or the step's words alone when they already say what <paramref name="error"/> means.</summary>
    public string Describe(int step, int error, string why)
    {
        if (step < 0 || step >= _descriptions.Count) return $"init step {step}: {why}";
        (string text, int explains) = _descriptions[step];
        return explains == error && error != 0 ? text : $"{text}: {why}";
    }

    /// <param name="explains">An errno the description already words (a PATH search's ENOENT), left out of the error.</param>
    public InitPlan Add(InitOp op, string description, long a = 0, long b = 0, long c = 0, long d = 0,
        byte* s1 = null, byte* s2 = null, byte* s3 = null, byte* s4 = null, int explains = 0)
    {
        _steps.Add(new InitStep { Op = op, A = a, B = b, C = c, D = d, S1 = s1, S2 = s2, S3 = s3, S4 = s4 });
        _descriptions.Add((description, explains));
        return this;
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
        program->ODirectory = OpenFlags.Directory;
        program->ONoFollow = OpenFlags.NoFollow;
        program->ExecPathSize = 4096;
        program->ExecPath = Arena.Alloc(program->ExecPathSize);
        // The hooks' state documents need room only when the init runs hooks (ReceiveState); 64 KiB of
        // zeroed memory is 16 page faults otherwise spent for nothing.
        program->StateSize = _steps.Exists(s => s.Op == InitOp.ReceiveState) ? 64 * 1024 : 1;
        program->State = Arena.Alloc(program->StateSize);
        return program;
    }

    public void Dispose() => Arena.Dispose();
}
