using System.Collections.Generic;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>
/// The hazard of cloning the multi-threaded .NET runtime (docs/process-model.md): with threads allocating
/// and finalizing as fast as they can (EDGE_TEST_GC_PRESSURE=1), a child that ran any managed code would
/// hang at its first GC poll. Before the init moved to native code, 12 of 30 such runs hung here.
/// </summary>
[Collection("containers")]
public class CloneHazardTests
{
    [Fact]
    public void ContainersStartWhileOtherThreadsCollectGarbage()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        var failures = new List<string>();
        for (int i = 0; i < 25; i++)
        {
            ProcessResult result = EdgeProcess.Run("env", new[] { "EDGE_TEST_GC_PRESSURE=1", EdgeProcess.Binary, "--root", r.Root, "run", "--bundle", bundle.Path, $"hazard-{i}-{System.Environment.ProcessId}" }, timeoutMs: 30_000);
            if (result.ExitCode != 0) failures.Add($"run {i}: {result}");
        }
        Assert.Empty(failures);
    }
}
