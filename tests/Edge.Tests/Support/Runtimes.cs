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

    private TestRuntime(string name, string? binary = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Name = name;
        _binary = binary;
        _environment = environment;
    }

    private readonly string? _binary;
    private readonly IReadOnlyDictionary<string, string?>? _environment;

    public string Name { get; }
    public string Root => _root.Path;

    public static TestRuntime Edge() => new("edge");
    public static TestRuntime Runc() => new("runc");
    public static TestRuntime Crun() => new("crun");

    /// <summary>edge or runc run from a copy of its binary (attack tests: what an attack could damage is the copy).</summary>
    public static TestRuntime FromCopy(string name, string binary) => new(name, binary);

    /// <summary>The runtime's own binary, as the tests run it.</summary>
    public static string BinaryOf(string name) => name switch
    {
        "edge" => EdgeProcess.Binary,
        "runc" => "/usr/sbin/runc",
        "crun" => "/usr/bin/crun",
        _ => throw new ArgumentException(name),
    };

    /// <summary>edge resolving every path in the rootfs with its component walk, as on kernels before openat2 (5.6).</summary>
    public static TestRuntime EdgeWithoutOpenat2() => new("edge", environment: new Dictionary<string, string?> { ["EDGE_NO_OPENAT2"] = "1" });

    public static TestRuntime Named(string name) => name switch
    {
        "edge" => Edge(),
        "edge-walk" => EdgeWithoutOpenat2(),
        "runc" => Runc(),
        "crun" => Crun(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The runtime NAME run with ENVIRONMENT added to the tests' own.</summary>
    public static TestRuntime Named(string name, IReadOnlyDictionary<string, string?> environment) =>
        name is "edge" or "runc" or "crun" ? new(name, environment: environment) : throw new ArgumentException(name);

    /// <summary>Runs a verb with this runtime's root: `RUNTIME --root ROOT ARGS...`.</summary>
    public ProcessResult Cli(params string[] args) => CliIn(null, args);

    public ProcessResult CliIn(string? workingDirectory, params string[] args)
    {
        List<string> command = Command(args);
        return EdgeProcess.Run(command[0], command.GetRange(1, command.Count - 1).ToArray(), workingDirectory, environment: _environment);
    }

    /// <summary>The argv that runs this runtime with its root and ARGS.</summary>
    private List<string> Command(string[] args)
    {
        var command = Name switch
        {
            _ when _binary is not null => new List<string> { _binary },
            "edge" => new List<string> { EdgeProcess.Binary },
            "runc" => new List<string> { "runc" },
            // crun 1.8 refuses this host's hybrid cgroup layout; it runs with the cgroup2 mount hidden.
            _ => new List<string> { "unshare", "-m", "--propagation", "private", "sh", "-c",
                "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun \"$@\"", "crun" },
        };
        command.Add("--root");
        command.Add(Root);
        command.AddRange(args);
        return command;
    }

    public ProcessResult Run(TestBundle bundle, string id) => Cli("run", "--bundle", bundle.Path, id);

    /// <summary>
    /// For verbs that leave a process behind (create, run -d, exec -d): that process inherits the verb's
    /// stdio, so reading pipes to EOF would wait for the container. Output goes through files instead.
    /// </summary>
    public ProcessResult Detached(params string[] args)
    {
        using var files = new TempDir("edge-out-");
        var all = new List<string> { "-c", "\"$@\" >\"$EDGE_OUT\" 2>\"$EDGE_ERR\" </dev/null", "sh" };
        all.AddRange(Command(args));
        var info = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (string a in all) info.ArgumentList.Add(a);
        foreach (var (key, value) in _environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        info.Environment["EDGE_OUT"] = files.Combine("out");
        info.Environment["EDGE_ERR"] = files.Combine("err");
        using var p = System.Diagnostics.Process.Start(info)!;
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException(string.Join(' ', args)); }
        return new ProcessResult(p.ExitCode, File.ReadAllText(files.Combine("out")), File.ReadAllText(files.Combine("err")));
    }

    public void Dispose()
    {
        // A test must delete its containers. Whatever is left is reported (the run fails at the end, in
        // LeftoverCheck) and removed, so that later tests start clean.
        if (Directory.Exists(Root))
        {
            foreach (string dir in Directory.GetDirectories(Root))
            {
                if (System.IO.Path.GetFileName(dir) == global::Edge.Runtime.Seccomp.SeccompCache.DirectoryName) continue; // edge's cache, not a container
                LeftoverCheck.Report($"{Name} container {System.IO.Path.GetFileName(dir)} left in {Root}");
                Cli("delete", "--force", System.IO.Path.GetFileName(dir));
            }
        }
        _root.Dispose();
    }
}
