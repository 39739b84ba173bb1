using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Vm;

/// <summary>
/// A VM script's run (toolchain/*-vm.sh): its console, and the "EDGE-VM RESULT name PASS|FAIL detail" lines
/// of the scenarios it ran.
/// </summary>
public abstract class VmScenarios
{
    protected VmScenarios(string script, int timeoutSeconds)
    {
        Boot(script, timeoutSeconds);
        if (!Finished)
        {
            // A VM under software emulation on a loaded 2-core host has once stalled in its kernel (soft lockups
            // of one vCPU until the timeout) where the same binary then passed in a minute. A VM that does not
            // finish is booted once more; a second one that does not finish fails the tests, with both consoles.
            string first = Console;
            Results.Clear();
            Boot(script, timeoutSeconds);
            Console = "first boot did not finish:\n" + Tail(first) + "\nsecond boot:\n" + Console;
        }
    }

    private void Boot(string script, int timeoutSeconds)
    {
        ProcessResult run = EdgeProcess.Run("bash", new[] { Path.Combine(EdgeProcess.RepoRoot, "toolchain", script), "--timeout", timeoutSeconds.ToString() },
            workingDirectory: EdgeProcess.RepoRoot, timeoutMs: (timeoutSeconds + 120) * 1000);
        Console = run.Stdout.Replace("\r", "") + run.Stderr;
        foreach (string line in Console.Split('\n'))
        {
            // EDGE-VM RESULT <name> PASS|FAIL <detail>
            if (!line.StartsWith("EDGE-VM RESULT ", StringComparison.Ordinal)) continue;
            string[] parts = line.Split(' ', 5);
            if (parts.Length >= 4) Results[parts[2]] = (parts[3] == "PASS", parts.Length > 4 ? parts[4] : "");
        }
        Finished = Console.Contains("EDGE-VM END");
    }

    public string Console { get; private set; } = "";
    public bool Finished { get; private set; }
    public Dictionary<string, (bool Passed, string Detail)> Results { get; } = new();

    public void AssertPassed(string scenario)
    {
        Assert.True(Finished, "the VM did not finish:\n" + Tail(Console));
        Assert.True(Results.TryGetValue(scenario, out var result), $"scenario {scenario} did not report:\n" + Tail(Console));
        Assert.True(result.Passed, $"{scenario}: {result.Detail}");
    }

    /// <summary>Every scenario the VM ran is one some test checks, so none passes or fails unseen.</summary>
    public void AssertAllChecked(IEnumerable<object[]> listed)
    {
        Assert.True(Finished, "the VM did not finish:\n" + Tail(Console));
        var names = listed.Select(s => (string)s[0]).ToHashSet();
        string notChecked = string.Join(", ", Results.Keys.Where(k => !names.Contains(k)));
        Assert.True(notChecked.Length == 0, "scenarios the VM ran that no test checks: " + notChecked);
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
