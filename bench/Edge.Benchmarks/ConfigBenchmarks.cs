using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;

namespace Edge.Benchmarks;

/// <summary>config.json read and write: on the path of every create.</summary>
[MemoryDiagnoser]
public class ConfigBenchmarks
{
    private byte[] _full = Array.Empty<byte>();
    private byte[] _default = Array.Empty<byte>();
    private Spec _spec = null!;

    [GlobalSetup]
    public void Setup()
    {
        _full = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "full-config.json"));
        _default = OciJson.ToIndentedUtf8(Edge.Runtime.DefaultSpec.Create(), SpecWriter.Spec);
        _spec = OciJson.Parse(_full, SpecReader.Spec, "config.json");
    }

    [Benchmark]
    public Spec ParseFullConfig() => OciJson.Parse(_full, SpecReader.Spec, "config.json");

    [Benchmark]
    public Spec ParseDefaultConfig() => OciJson.Parse(_default, SpecReader.Spec, "config.json");

    [Benchmark]
    public byte[] WriteFullConfig() => OciJson.ToIndentedUtf8(_spec, SpecWriter.Spec);
}
