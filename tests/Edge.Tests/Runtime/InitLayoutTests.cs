using System;
using System.IO;
using System.Runtime.InteropServices;
using Edge.Runtime.Init;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The init program is shared memory between C# (InitStep.cs) and C (Native/init.c): sizes, offsets and
/// operation numbers are checked against what the C compiler makes of init.c on this architecture.
/// </summary>
public class InitLayoutTests
{
    [Fact]
    public void CSharpAndCAgreeOnTheInitProgram()
    {
        using var dir = new TempDir("edge-layout-");
        string source = Path.Combine(EdgeProcess.RepoRoot, "src", "Edge.Runtime", "Native", "init.c");
        File.WriteAllText(dir.Combine("layout.c"), $$"""
            #include "{{source}}"
            #include <stddef.h>
            #include <stdio.h>
            int main(void) {
                printf("%zu %zu %zu %zu %zu %zu\n", sizeof(struct init_step), offsetof(struct init_step, a),
                       offsetof(struct init_step, s1), offsetof(struct init_step, s4), sizeof(struct init_program),
                       offsetof(struct init_program, state));
                printf("%zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(struct init_message), offsetof(struct init_program, exec_path),
                       offsetof(struct init_program, sync_fd), offsetof(struct init_program, keep_setup),
                       offsetof(struct init_program, keep_exec), offsetof(struct init_program, stub_fd),
                       offsetof(struct init_program, proc_fd), sizeof(struct init_program));
                printf("%d %d %d %d %d %d %d\n", OP_MOUNT, OP_EXEC, OP_SESSION_KEYRING, OP_HOOK, OP_CLOSE_FDS, OP_MAKE_DIRECTORY, OP_JOIN_CGROUP);
                return 0;
            }
            """);
        File.WriteAllText(dir.Combine("stub"), "");
        ProcessResult cc = EdgeProcess.Run("cc", new[] { $"-DEDGE_EXEC_STUB=\"{dir.Combine("stub")}\"", "-o", dir.Combine("layout"), dir.Combine("layout.c") });
        Assert.True(cc.ExitCode == 0, cc.ToString());
        string[] lines = EdgeProcess.Run(dir.Combine("layout"), Array.Empty<string>()).Stdout.Split('\n');

        string expected0 = string.Join(' ', Marshal.SizeOf<InitStep>(), Marshal.OffsetOf<InitStep>(nameof(InitStep.A)),
            Marshal.OffsetOf<InitStep>(nameof(InitStep.S1)), Marshal.OffsetOf<InitStep>(nameof(InitStep.S4)),
            Marshal.SizeOf<InitProgram>(), Marshal.OffsetOf<InitProgram>(nameof(InitProgram.State)));
        Assert.Equal(expected0, lines[0]);
        Assert.Equal(string.Join(' ', Marshal.SizeOf<InitMessage>(), Marshal.OffsetOf<InitProgram>(nameof(InitProgram.ExecPath)),
            Marshal.OffsetOf<InitProgram>(nameof(InitProgram.SyncFd)), Marshal.OffsetOf<InitProgram>(nameof(InitProgram.KeepSetup)),
            Marshal.OffsetOf<InitProgram>(nameof(InitProgram.KeepExec)), Marshal.OffsetOf<InitProgram>(nameof(InitProgram.StubFd)),
            Marshal.OffsetOf<InitProgram>(nameof(InitProgram.ProcFd)), Marshal.SizeOf<InitProgram>()), lines[1]);
        Assert.Equal(string.Join(' ', (int)InitOp.Mount, (int)InitOp.Exec, (int)InitOp.SessionKeyring, (int)InitOp.Hook,
            (int)InitOp.CloseFds, (int)InitOp.MakeDirectory, (int)InitOp.JoinCgroup), lines[2]);
    }
}
