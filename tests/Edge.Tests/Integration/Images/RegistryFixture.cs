using System;
using Edge.Tests.Support;

namespace Edge.Tests.Integration.Images;

/// <summary>One open docker-registry for a test class, holding the samples: edge/busybox:v1 (two layers) and
/// edge/multi:v1 (an index with linux/amd64 and linux/arm64/v8).</summary>
public sealed class RegistryFixture : IDisposable
{
    public RegistryFixture()
    {
        Registry = LocalRegistry.Open();
        try
        {
            Registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1");
            Registry.Push($"oci:{SampleImages.MultiPlatformLayout}:multi", "edge/multi:v1", all: true);
        }
        catch
        {
            Registry.Dispose(); // xunit does not dispose a fixture whose constructor threw
            throw;
        }
    }

    public LocalRegistry Registry { get; }

    public string Busybox => $"{Registry.Authority}/edge/busybox:v1";
    public string Multi => $"{Registry.Authority}/edge/multi:v1";

    public void Dispose() => Registry.Dispose();
}
