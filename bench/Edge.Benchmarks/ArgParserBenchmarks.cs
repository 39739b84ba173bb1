using BenchmarkDotNet.Attributes;
using Edge.Cli;
using Edge.Cli.CommandLine;

namespace Edge.Benchmarks;

/// <summary>The hand-written parser on the command line containerd's shim sends for every create.</summary>
[MemoryDiagnoser]
public class ArgParserBenchmarks
{
    private static readonly string[] ShimCreate =
    {
        "--root", "/run/containerd/runc/k8s.io", "--log", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/log.json",
        "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1",
        "--pid-file", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/init.pid", "c1",
    };

    [Benchmark]
    public int ParseShimCreate() => ArgParser.Parse(ShimCreate, EdgeCli.GlobalOptions, EdgeCli.Find).Args.Count;
}
