using System;
using System.Collections;
using System.IO;
using System.Text;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Edge.Image;
using Edge.Oci.Image;
using Edge.Oci.Json;
using Edge.Runtime.State;
using Edge.Tests.Reference;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Oci;

/// <summary>
/// Every reader and writer of edge (FastJson, JsonOut) against System.Text.Json's generated metadata for the
/// same model (Reference): a document with every property of the model set, built from that metadata, must
/// read to the same value and be written to the same bytes; every property broken in turn must give the same
/// error. A property added to a model and forgotten in a reader or writer fails here.
/// </summary>
public class FastReaderTests
{
    [Fact]
    public void SpecReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Spec, SpecReader.Spec);

    [Fact]
    public void ProcessReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Process, SpecReader.Process);

    [Fact]
    public void HooksReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Hooks, SpecReader.Hooks);

    [Fact]
    public void ResourcesReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Resources, SpecReader.Resources);

    [Fact]
    public void ManifestReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Manifest, ImageReader.Manifest);

    [Fact]
    public void IndexReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.Index, ImageReader.Index);

    [Fact]
    public void ImageConfigReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.ImageConfig, ImageReader.Config);

    [Fact]
    public void ImageLayoutReaderReadsEveryProperty() => AgreesOnEveryProperty(OciJsonContext.Default.ImageLayout, ImageReader.Layout);

    [Fact]
    public void ImageListReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.ImageList, ImageListReader.Images);

    [Fact]
    public void AuthFileReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.AuthFile, ToolDocumentReader.AuthFile);

    [Fact]
    public void TokenReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.TokenResponse, ToolDocumentReader.Token);

    [Fact]
    public void RegistryErrorReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.RegistryErrorBody, ToolDocumentReader.RegistryErrors);

    [Fact]
    public void DockerArchiveReaderReadsEveryProperty() => AgreesOnEveryProperty(ImageJsonContext.Default.ListDockerArchiveEntry, ToolDocumentReader.DockerArchive);

    [Fact]
    public void LegacyRecordReaderReadsEveryProperty() => AgreesOnEveryProperty(RuntimeJsonContext.Default.ContainerRecord, LegacyRecordReader.Record);

    [Fact]
    public void SpecWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.Spec, SpecWriter.Spec);

    [Fact]
    public void StateWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.State, SpecWriter.State);

    [Fact]
    public void ContainerProcessStateWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.ContainerProcessState, SpecWriter.ContainerProcessState);

    [Fact]
    public void FeaturesWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.Features, SpecWriter.Features);

    [Fact]
    public void HooksWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.Hooks, SpecWriter.Hooks);

    [Fact]
    public void ManifestWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.Manifest, ImageWriter.Manifest);

    [Fact]
    public void IndexWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.Index, ImageWriter.Index);

    [Fact]
    public void ImageLayoutWriterWritesEveryProperty() => WritesAlike(OciJsonContext.Default.ImageLayout, ImageWriter.Layout);

    [Fact]
    public void ImageListWriterWritesEveryProperty() => WritesAlike(ImageJsonContext.Default.ImageList, ImageListWriter.Images);

    [Fact]
    public void ImageRecordsWriterWritesEveryProperty() => WritesAlike(ImageJsonContext.Default.ListImageRecord, ImageListWriter.Records);

    /// <summary>Defaults (zeros, false, empty lists) are written, or left out, as the serializer does.</summary>
    [Fact]
    public void WritersTreatDefaultsAsTheSerializerDoes()
    {
        JsonParity.AssertWritesAlike(new Edge.Oci.RuntimeSpec.State { OciVersion = "1.2.1", Id = "x", Status = "created", Bundle = "/b" }, SpecWriter.State, OciJsonContext.Default.State);
        JsonParity.AssertWritesAlike(Edge.Runtime.DefaultSpec.Create(), SpecWriter.Spec, OciJsonContext.Default.Spec);
        JsonParity.AssertWritesAlike(new Manifest { SchemaVersion = 2, Config = new Descriptor { MediaType = "m", Digest = "d", Size = 0 }, Layers = new() }, ImageWriter.Manifest, OciJsonContext.Default.Manifest);
        JsonParity.AssertWritesAlike(Edge.Runtime.FeatureSet.Describe(), SpecWriter.Features, OciJsonContext.Default.Features);
    }

    /// <summary>Every property of every reader's document broken in turn, in ways a hostile file would: same error as the serializer's.</summary>
    [Fact]
    public void EveryBrokenPropertyGivesTheSerializersError()
    {
        BreaksAlike(OciJsonContext.Default.Spec, SpecReader.Spec);
        BreaksAlike(OciJsonContext.Default.Resources, SpecReader.Resources);
        BreaksAlike(OciJsonContext.Default.Manifest, ImageReader.Manifest);
        BreaksAlike(OciJsonContext.Default.Index, ImageReader.Index);
        BreaksAlike(OciJsonContext.Default.ImageConfig, ImageReader.Config);
        BreaksAlike(OciJsonContext.Default.ImageLayout, ImageReader.Layout);
        BreaksAlike(ImageJsonContext.Default.ImageList, ImageListReader.Images);
        BreaksAlike(ImageJsonContext.Default.ListDockerArchiveEntry, ToolDocumentReader.DockerArchive);
        BreaksAlike(ImageJsonContext.Default.AuthFile, ToolDocumentReader.AuthFile);
        BreaksAlike(RuntimeJsonContext.Default.ContainerRecord, LegacyRecordReader.Record);
    }

    /// <summary>The sample image's own documents, as written by the layout tools, read as the serializer reads them.</summary>
    [Fact]
    [Trait("Category", "Integration")] // reads the built sample image
    public void SampleImageDocumentsReadAlike()
    {
        string layout = Path.Combine(EdgeProcess.SamplesDirectory, "busybox-image");
        Edge.Oci.Image.Index index = OciJson.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")), ImageReader.Index, "index.json");
        byte[] manifestBytes = Blob(layout, index.Manifests[0].Digest);
        JsonParity.AssertReadsAlike(manifestBytes, ImageReader.Manifest, OciJsonContext.Default.Manifest, "manifest");
        Manifest manifest = OciJson.Parse(manifestBytes, ImageReader.Manifest, "manifest");
        JsonParity.AssertReadsAlike(Blob(layout, manifest.Config.Digest), ImageReader.Config, OciJsonContext.Default.ImageConfig, "config");
    }

    /// <summary>What the serializer refuses, edge's reader refuses with the same error.</summary>
    [Theory]
    [InlineData("""{"schemaVersion":2,"layers":[]}""")]
    [InlineData("""{"schemaVersion":"2","config":{"mediaType":"m","digest":"d","size":1},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1},"layers":null}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1,"data":"not base64!"},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1.5},"layers":[]}""")]
    public void MalformedManifestsAreRefusedAlike(string json)
    {
        JsonParity.AssertRefusedAlike(Encoding.UTF8.GetBytes(json), ImageReader.Manifest, OciJsonContext.Default.Manifest, "manifest");
    }

    private static byte[] Blob(string layout, string digest) => File.ReadAllBytes(Path.Combine(layout, "blobs", digest.Replace(':', '/')));

    private static void AgreesOnEveryProperty<T>(JsonTypeInfo<T> type, FastJson.Read<T> read) where T : class
    {
        var value = (T)Sample(type, depth: 0)!;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        T edge = OciJson.Parse(json, read, "sample");
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(edge, type)));
        EveryPropertyWritten(type, JsonDocument.Parse(json).RootElement, "$");
    }

    private static void WritesAlike<T>(JsonTypeInfo<T> type, JsonOut.Write<T> write) where T : class
    {
        var value = (T)Sample(type, depth: 0)!;
        JsonParity.AssertWritesAlike(value, write, type);
        EveryPropertyWritten(type, JsonDocument.Parse(OciJson.ToUtf8(value, write)).RootElement, "$");
    }

    /// <summary>
    /// Each value of the full sample replaced in turn by each kind of wrong value, and each property removed,
    /// in an indented document (so lines differ): wherever the serializer refuses, edge refuses with the same
    /// line. Where the serializer takes a null element of a list or map, edge refuses it (ConfigErrorTests).
    /// </summary>
    private static void BreaksAlike<T>(JsonTypeInfo<T> type, FastJson.Read<T> read) where T : class
    {
        JsonNode sample = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes((T)Sample(type, depth: 0)!, type))!;
        var options = new JsonSerializerOptions { WriteIndented = true };
        JsonNode?[] wrong = { JsonValue.Create(5), JsonValue.Create(-1), JsonValue.Create(1.5), JsonValue.Create(4294967296L), JsonValue.Create("s"), JsonValue.Create(true), null, new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create(7)) };
        int checkedCases = 0;
        foreach (string path in Paths(sample, "$"))
        {
            var variants = new List<JsonNode>();
            foreach (JsonNode? bad in wrong)
            {
                JsonNode doc = sample.DeepClone();
                Replace(doc, path, bad?.DeepClone(), remove: false);
                variants.Add(doc);
            }
            JsonNode without = sample.DeepClone();
            if (Replace(without, path, null, remove: true)) variants.Add(without);

            foreach (JsonNode doc in variants)
            {
                byte[] utf8 = Encoding.UTF8.GetBytes(doc.ToJsonString(options));
                string? reference = Refusal(() => ReferenceJson.Parse(utf8, type, "f"));
                string? edge = Refusal(() => OciJson.Parse(utf8, read, "f"));
                if (reference is not null)
                {
                    Assert.True(reference == edge, $"{path}: serializer: {reference}\nedge: {edge}\n{Encoding.UTF8.GetString(utf8)}");
                    checkedCases++;
                }
                else if (edge is not null)
                {
                    Assert.True(edge.Contains("got null", StringComparison.Ordinal), $"{path}: edge refuses what the serializer takes: {edge}");
                }
                else
                {
                    Assert.Equal(Encoding.UTF8.GetString(ReferenceJson.ToUtf8(ReferenceJson.Parse(utf8, type, "f"), type)),
                        Encoding.UTF8.GetString(ReferenceJson.ToUtf8(OciJson.Parse(utf8, read, "f"), type)));
                }
            }
        }
        Assert.True(checkedCases > 0);
    }

    private static string? Refusal(Action parse)
    {
        try
        {
            parse();
            return null;
        }
        catch (OciFormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The paths of every value below the root, as "$/name/0/name".</summary>
    private static IEnumerable<string> Paths(JsonNode node, string path)
    {
        if (node is JsonObject o)
            foreach (var (name, child) in o)
            {
                yield return path + "/" + name;
                if (child is not null) foreach (string p in Paths(child, path + "/" + name)) yield return p;
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                yield return path + "/" + i;
                if (a[i] is { } child) foreach (string p in Paths(child, path + "/" + i)) yield return p;
            }
    }

    private static bool Replace(JsonNode root, string path, JsonNode? value, bool remove)
    {
        string[] steps = path.Split('/')[1..];
        JsonNode parent = root;
        for (int i = 0; i < steps.Length - 1; i++)
            parent = parent is JsonArray a ? a[int.Parse(steps[i])]! : parent[steps[i]]!;
        string last = steps[^1];
        if (parent is JsonArray array)
        {
            if (remove) return false;
            array[int.Parse(last)] = value;
        }
        else if (remove) ((JsonObject)parent).Remove(last);
        else parent[last] = value;
        return true;
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
