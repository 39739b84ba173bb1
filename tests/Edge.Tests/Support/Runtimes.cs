using System;
using System.Collections.Generic;
using System.IO;

namespace Edge.Tests.Support;

/// <summary>
/// edge and the reference runtimes behind one call shape, each with its own --root, so a scenario can be
/// run by all three and what the container saw compared.
/// </summary>
public sealed class TestRuntime : IDisposable
{
    private readonly TempDir _root = new("edge-root-");

    private TestRuntime(string name) => Name = name;

    public string Name { get; }
    public string Root => _root.Path;

    public static TestRuntime Edge() => new("edge");
    public static TestRuntime Runc() => new("runc");
    public static TestRuntime Crun() => new("crun");

    public static TestRuntime Named(string name) => name switch
    {
        "edge" => Edge(),
        "runc" => Runc(),
        "crun" => Crun(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Runs a verb with this runtime's root: `RUNTIME --root ROOT ARGS...`.</summary>
    public ProcessResult Cli(params string[] args) => CliIn(null, args);

    public ProcessResult CliIn(string? workingDirectory, params string[] args)
    {
        var all = new List<string> { "--root", Root };
        all.AddRange(args);
        return Name switch
        {
            "edge" => EdgeProcess.Run(EdgeProcess.Binary, all.ToArray(), workingDirectory),
            "runc" => EdgeProcess.Run("runc", all.ToArray(), workingDirectory),
            // crun 1.8 refuses this host's hybrid cgroup layout; it runs with the cgroup2 mount hidden.
            _ => EdgeProcess.Run("unshare", new[] { "-m", "--propagation", "private", "sh", "-c",
                "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun \"$@\"", "crun" }.Concat(all), workingDirectory),
        };
    }

    public ProcessResult Run(TestBundle bundle, string id) => Cli("run", "--bundle", bundle.Path, id);

    /// <summary>
    /// For verbs that leave a process behind (create, run -d, exec -d): that process inherits the verb's
    /// stdio, so reading pipes to EOF would wait for the container. Output goes through files instead.
    /// </summary>
    public ProcessResult Detached(params string[] args)
    {
        using var files = new TempDir("edge-out-");
        string command = Name == "crun" ? "crun" : Name == "runc" ? "runc" : EdgeProcess.Binary;
        var all = new List<string> { "-c", "\"$0\" \"$@\" >\"$EDGE_OUT\" 2>\"$EDGE_ERR\" </dev/null", command, "--root", Root };
        all.AddRange(args);
        var info = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (string a in all) info.ArgumentList.Add(a);
        info.Environment["EDGE_OUT"] = files.Combine("out");
        info.Environment["EDGE_ERR"] = files.Combine("err");
        using var p = System.Diagnostics.Process.Start(info)!;
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException(string.Join(' ', args)); }
        return new ProcessResult(p.ExitCode, File.ReadAllText(files.Combine("out")), File.ReadAllText(files.Combine("err")));
    }

    public void Dispose()
    {
        // Whatever a failed test left behind: remove it so later tests and the leftover check stay clean.
        if (Directory.Exists(Root))
        {
            foreach (string dir in Directory.GetDirectories(Root))
                Cli("delete", "--force", System.IO.Path.GetFileName(dir));
        }
        _root.Dispose();
    }
}

internal static class ArrayExtensions
{
    public static string[] Concat(this string[] first, List<string> second)
    {
        var result = new List<string>(first);
        result.AddRange(second);
        return result.ToArray();
    }
}
