using System;
using System.Formats.Tar;
using System.IO;
using BenchmarkDotNet.Attributes;
using Edge.Layers;

namespace Edge.Benchmarks;

/// <summary>
/// Applying a layer of N small files into a fresh directory (overlay mode, as snapshots are made): time, and
/// managed allocation per layer, which must not grow with N (target: at most 64 KiB for any layer).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class ExtractBenchmarks
{
    private byte[] _tar = Array.Empty<byte>();
    private string _root = "";
    private string _target = "";
    private int _iteration;

    [Params(100, 1000, 10000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            for (int d = 0; d * 100 < Files; d++)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"dir{d}") { Mode = (UnixFileMode)0x1ED });
            byte[] content = new byte[512];
            for (int i = 0; i < Files; i++)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"dir{i / 100}/file{i}") { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(content) });
        }
        _tar = stream.ToArray();
        _root = Directory.CreateTempSubdirectory("edge-bench-extract-").FullName;
    }

    [IterationSetup]
    public void NewTarget()
    {
        _target = Path.Combine(_root, $"t{_iteration++}");
        Directory.CreateDirectory(_target);
    }

    [Benchmark]
    public LayerStatistics Apply() => LayerApplier.Apply(new MemoryStream(_tar, writable: false), _target, WhiteoutMode.Overlay);

    [IterationCleanup]
    public void RemoveTarget() => Directory.Delete(_target, recursive: true);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);
}
