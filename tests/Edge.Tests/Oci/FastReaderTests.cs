using System;
using System.Collections;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Image;
using Edge.Oci.Image;
using Edge.Oci.Json;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Oci;

/// <summary>
/// Every fast reader (FastJson) against its source-generated context: a document with every property of
/// the model set, built from the context's own metadata, must read to the same value. A property added to
/// a model and forgotten in its reader fails here.
/// </summary>
public class FastReaderTests
{
    [Fact]
    public void SpecReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Spec, SpecReader.Spec);

    [Fact]
    public void ManifestReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Manifest, ImageReader.Manifest);

    [Fact]
    public void IndexReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Index, ImageReader.Index);

    [Fact]
    public void ImageConfigReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.ImageConfig, ImageReader.Config);

    [Fact]
    public void ImageListReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.ImageList, ImageListReader.Images);

    /// <summary>The sample image's own documents, as written by the layout tools, take the fast path.</summary>
    [Fact]
    [Trait("Category", "Integration")] // reads the built sample image
    public void SampleImageDocumentsTakeTheFastPath()
    {
        string layout = Path.Combine(EdgeProcess.SamplesDirectory, "busybox-image");
        Edge.Oci.Image.Index index = OciJson.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")), OciJsonContext.Default.Index, "index.json");
        byte[] manifestBytes = Blob(layout, index.Manifests[0].Digest);
        Assert.True(FastJson.TryRead(manifestBytes, ImageReader.Manifest, out Manifest manifest));
        Assert.True(FastJson.TryRead(Blob(layout, manifest.Config.Digest), ImageReader.Config, out ImageConfig config));
        Assert.Equal(OciJson.ToUtf8(OciJson.Parse(Blob(layout, manifest.Config.Digest), OciJsonContext.Default.ImageConfig, "config"), OciJsonContext.Default.ImageConfig),
            OciJson.ToUtf8(config, OciJsonContext.Default.ImageConfig));
    }

    /// <summary>What the context refuses, the fast path declines, and the error is the context's.</summary>
    [Theory]
    [InlineData("""{"schemaVersion":2,"layers":[]}""")]
    [InlineData("""{"schemaVersion":"2","config":{"mediaType":"m","digest":"d","size":1},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1},"layers":null}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1,"data":"not base64!"},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1.5},"layers":[]}""")]
    public void MalformedManifestsAreLeftToTheContext(string json)
    {
        FastPath.AssertLeftToContext(Encoding.UTF8.GetBytes(json), ImageReader.Manifest, OciJsonContext.Default.Manifest, "manifest");
    }

    private static byte[] Blob(string layout, string digest) => File.ReadAllBytes(Path.Combine(layout, "blobs", digest.Replace(':', '/')));

    private static void AgreesOnEveryProperty<T>(JsonTypeInfo<T> type, FastJson.Read<T> read) where T : class
    {
        var value = (T)Sample(type, depth: 0)!;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        Assert.True(FastJson.TryRead(json, read, out T fast), $"the fast reader declined {Encoding.UTF8.GetString(json)}");
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(fast, type)));
        EveryPropertyWritten(type, JsonDocument.Parse(json).RootElement, "$");
    }

    /// <summary>Guards the sample itself: each property of each object appears in the document.</summary>
    private static void EveryPropertyWritten(JsonTypeInfo type, JsonElement element, string path)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (JsonPropertyInfo property in type.Properties)
        {
            Assert.True(element.TryGetProperty(property.Name, out JsonElement child), $"{path}.{property.Name} was not written");
            JsonTypeInfo childType = type.Options.GetTypeInfo(property.PropertyType);
            if (childType.Kind == JsonTypeInfoKind.Object) EveryPropertyWritten(childType, child, $"{path}.{property.Name}");
        }
    }

    /// <summary>A value with every property set: one element per list, one entry per map, non-default scalars.</summary>
    private static object? Sample(JsonTypeInfo type, int depth)
    {
        Assert.True(depth < 20, $"model too deep at {type.Type}");
        Type t = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                object o = type.CreateObject?.Invoke() ?? Activator.CreateInstance(type.Type)!; // required members leave CreateObject unset
                foreach (JsonPropertyInfo p in type.Properties)
                    p.Set!(o, Sample(type.Options.GetTypeInfo(p.PropertyType), depth + 1));
                return o;
            case JsonTypeInfoKind.Enumerable when type.ElementType is { } element:
                var list = (IList)(type.CreateObject?.Invoke() ?? Activator.CreateInstance(type.Type)!);
                list.Add(Sample(type.Options.GetTypeInfo(element), depth + 1));
                return list;
            case JsonTypeInfoKind.Dictionary when type.ElementType is { } value:
                var map = (IDictionary)(type.CreateObject?.Invoke() ?? Activator.CreateInstance(type.Type)!);
                map.Add("key-" + depth, Sample(type.Options.GetTypeInfo(value), depth + 1));
                return map;
        }
        if (t == typeof(string)) return "text-" + depth + "-é\"\\";
        if (t == typeof(bool)) return true;
        if (t == typeof(int)) return -7;
        if (t == typeof(uint)) return 4_000_000_000u;
        if (t == typeof(long)) return -5_000_000_000L;
        if (t == typeof(ulong)) return 18_000_000_000_000_000_000UL;
        if (t == typeof(ushort)) return (ushort)65_000;
        if (t == typeof(byte[])) return new byte[] { 1, 2, 250 };
        throw new InvalidOperationException($"no sample for {t}");
    }
}
