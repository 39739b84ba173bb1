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
    private readonly List<string> _descriptions = new();

    public NativeArena Arena { get; } = new();

    public int Count => _steps.Count;

    public string Describe(int step) => step >= 0 && step < _descriptions.Count ? _descriptions[step] : $"init step {step}";

    public InitPlan Add(InitOp op, string description, long a = 0, long b = 0, long c = 0, long d = 0,
        byte* s1 = null, byte* s2 = null, byte* s3 = null, byte* s4 = null)
    {
        _steps.Add(new InitStep { Op = op, A = a, B = b, C = c, D = d, S1 = s1, S2 = s2, S3 = s3, S4 = s4 });
        _descriptions.Add(description);
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
        program->StateSize = 64 * 1024;
        program->State = Arena.Alloc(program->StateSize);
        return program;
    }

    public void Dispose() => Arena.Dispose();
}
