using System.IO;
using Edge.Oci.Json;
using Edge.Oci.Runtime;
using Xunit;

namespace Edge.Tests.Support;

/// <summary>
/// Checks that a config.json a real tool wrote (containerd, podman) takes edge's fast path, SpecReader,
/// and reads there as the serializer reads it: a decline would be correct but slow, so it is caught here.
/// </summary>
public static class FastPath
{
    public static void AssertReads(string configPath)
    {
        byte[] utf8 = File.ReadAllBytes(configPath);
        Assert.True(SpecReader.TryRead(utf8, SpecReader.Spec, out Spec fast), $"{configPath}: the fast reader declined it");
        Spec reference = OciJson.Parse(utf8, OciJsonContext.Default.Spec, configPath);
        Assert.Equal(OciJson.ToUtf8(reference, OciJsonContext.Default.Spec), OciJson.ToUtf8(fast, OciJsonContext.Default.Spec));
    }
}
