using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace Edge.Tests.Support;

/// <summary>The result of running a program: exit code and captured output.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the built edge binary (EDGE_BINARY, else out/edge from the repository) and other programs.</summary>
public static class EdgeProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Binary
    {
        get
        {
            string path = Environment.GetEnvironmentVariable("EDGE_BINARY") is { Length: > 0 } env ? env : Path.Combine(RepoRoot, "out", "edge");
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} not found: run ./build.sh build (or ./build.sh test)");
            return path;
        }
    }

    public static string SamplesDirectory =>
        Environment.GetEnvironmentVariable("EDGE_SAMPLES") is { Length: > 0 } env ? env : Path.Combine(RepoRoot, "out", "samples");

    public static ProcessResult Edge(params string[] args) => Run(Binary, args);

    /// <summary>Runs edge with extra environment variables (a null value removes one).</summary>
    public static ProcessResult EdgeWithEnv(System.Collections.Generic.IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Run(Binary, args, environment: environment);

    public static ProcessResult Run(string file, string[] args, string? workingDirectory = null, string? stdin = null, int timeoutMs = 60_000,
        System.Collections.Generic.IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Always a pipe: CI runs without a standard input, and a program must not inherit a closed fd 0.
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (key, value) in environment)
                if (value is null) info.Environment.Remove(key); else info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (Edge.sln)");
    }
}

/// <summary>A temporary directory removed when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "edge-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(Path, System.IO.Path.Combine(parts));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
