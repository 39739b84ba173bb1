using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Edge.Benchmarks.ConfigBenchmarks).Assembly).Run(args);
