using System;
using System.IO;
using System.Text.Json.Nodes;

namespace Edge.Tests.Support;

/// <summary>
/// A bundle for one test: a copy of the busybox sample rootfs and the default config.json (from
/// `edge spec`), made non-interactive, with hooks to change it before it is written.
/// </summary>
public sealed class TestBundle : IDisposable
{
    private readonly TempDir _dir = new("edge-bundle-");

    public TestBundle(params string[] args)
    {
        Path = _dir.Combine("bundle");
        Directory.CreateDirectory(Path);
        ProcessResult copy = EdgeProcess.Run("cp", new[] { "-a", System.IO.Path.Combine(EdgeProcess.SamplesDirectory, "busybox", "rootfs"), Path });
        if (copy.ExitCode != 0) throw new InvalidOperationException("copying the sample rootfs failed: " + copy);
        ProcessResult spec = EdgeProcess.Edge("spec", "--bundle", Path);
        if (spec.ExitCode != 0) throw new InvalidOperationException("edge spec failed: " + spec);
        Config = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        Config["process"]!["terminal"] = false;
        if (args.Length > 0) Args(args);
    }

    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");
    public string Rootfs => System.IO.Path.Combine(Path, "rootfs");
    public JsonNode Config { get; }
    public JsonNode Process => Config["process"]!;
    public JsonNode Linux => Config["linux"]!;

    public TestBundle Args(params string[] args)
    {
        var array = new JsonArray();
        foreach (string a in args) array.Add(a);
        Process["args"] = array;
        return this;
    }

    /// <summary>Writes config.json; call after changing <see cref="Config"/>.</summary>
    public TestBundle Save()
    {
        File.WriteAllText(ConfigPath, Config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return this;
    }

    public void Dispose() => _dir.Dispose();
}
