using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Oci;

public class SpecRoundTripTests
{
    private static byte[] FullConfig => File.ReadAllBytes(Path.Combine(System.AppContext.BaseDirectory, "Data", "full-config.json"));

    [Fact]
    public void FullConfigSurvivesReadAndWriteUnchanged()
    {
        Spec spec = OciJson.Parse(FullConfig, SpecReader.Spec, "config.json");
        byte[] written = OciJson.ToIndentedUtf8(spec, SpecWriter.Spec);

        JsonNode? original = JsonNode.Parse(FullConfig);
        JsonNode? again = JsonNode.Parse(written);
        Assert.True(JsonNode.DeepEquals(original, again), $"round trip changed the document:\n{System.Text.Encoding.UTF8.GetString(written)}");
    }

    [Fact]
    public void FullConfigReadsIntoTypedFields()
    {
        Spec spec = OciJson.Parse(FullConfig, SpecReader.Spec, "config.json");
        Assert.Equal("1.2.1", spec.OciVersion);
        Assert.Equal(new uint[] { 5, 6 }, spec.Process!.User.AdditionalGids);
        Assert.Equal(18u, spec.Process.User.Umask);
        Assert.Equal("CAP_NET_BIND_SERVICE", Assert.Single(spec.Process.Capabilities!.Inheritable!));
        Assert.Equal(100, spec.Process.OomScoreAdj);
        Assert.Equal(-5, spec.Process.Scheduler!.Nice);
        Assert.Equal("0-3,7", spec.Process.ExecCpuAffinity!.Final);
        Assert.Equal(5, spec.Hooks!.Prestart![0].Timeout);
        Assert.Single(spec.Hooks.StartContainer!);
        Assert.Equal(-1, spec.Linux!.Resources!.Memory!.Kernel);
        Assert.Equal(536870912, spec.Linux.Resources.Memory.Limit);
        Assert.Equal("259:0 rbps=2097152", spec.Linux.Resources.Unified!["io.max"]);
        Assert.Equal(8UL, spec.Linux.Seccomp!.Syscalls![1].Args![0].Value);
        Assert.Equal(3UL, spec.Linux.Seccomp.Syscalls[1].Args![0].ValueTwo);
        Assert.Equal(172800, spec.Linux.TimeOffsets!["monotonic"].Secs);
        Assert.Equal(438u, spec.Linux.Devices![0].FileMode);
        Assert.Equal("/var/run/netns/neta", spec.Linux.Namespaces![1].Path);
        Assert.Equal(1000u, spec.Mounts![1].UidMappings![0].HostId);
    }

    /// <summary>Guards the test data itself: every property of every model type appears in full-config.json.</summary>
    [Fact]
    public void FullConfigSetsEveryFieldOfTheModel()
    {
        JsonNode root = JsonNode.Parse(FullConfig)!;
        var missing = new List<string>();
        Walk(OciJsonContext.Default.Spec, new[] { root }, "$", missing, new HashSet<System.Type>());
        Assert.True(missing.Count == 0, "full-config.json lacks: " + string.Join(", ", missing));
    }

    private static void Walk(JsonTypeInfo type, IReadOnlyList<JsonNode> nodes, string path, List<string> missing, HashSet<System.Type> seen)
    {
        if (type.Kind == JsonTypeInfoKind.Object)
        {
            if (!seen.Add(type.Type)) return;
            foreach (JsonPropertyInfo property in type.Properties)
            {
                var values = nodes.OfType<JsonObject>().Select(o => o[property.Name]).Where(v => v is not null).Cast<JsonNode>().ToList();
                string child = $"{path}.{property.Name}";
                if (values.Count == 0) { missing.Add(child); continue; }
                Walk(type.Options.GetTypeInfo(property.PropertyType), values, child, missing, seen);
            }
        }
        else if (type.Kind == JsonTypeInfoKind.Enumerable && type.ElementType is { } element)
        {
            Walk(type.Options.GetTypeInfo(element), nodes.OfType<JsonArray>().SelectMany(a => a).Where(n => n is not null).Cast<JsonNode>().ToList(), path + "[]", missing, seen);
        }
        else if (type.Kind == JsonTypeInfoKind.Dictionary && type.ElementType is { } value)
        {
            Walk(type.Options.GetTypeInfo(value), nodes.OfType<JsonObject>().SelectMany(o => o.Select(p => p.Value)).Where(n => n is not null).Cast<JsonNode>().ToList(), path + "{}", missing, seen);
        }
    }

    /// <summary>
    /// edge's config.json reader (SpecReader) against the serializer's writer: full-config.json sets every
    /// field of the model (guarded above), so a field the reader misses or reads differently changes the document.
    /// </summary>
    [Fact]
    public void SpecReaderReadsEveryFieldAsTheSerializerDoes()
    {
        Spec spec = OciJson.Parse(FullConfig, SpecReader.Spec, "config.json");
        byte[] written = ReferenceJson.ToIndentedUtf8(spec, OciJsonContext.Default.Spec);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FullConfig), JsonNode.Parse(written)),
            $"the reader changed the document:\n{System.Text.Encoding.UTF8.GetString(written)}");
    }

    /// <summary>edge's config.json writer writes the serializer's own bytes, for the full config and the starter one.</summary>
    [Fact]
    public void SpecWriterWritesWhatTheSerializerWrites()
    {
        Spec full = OciJson.Parse(FullConfig, SpecReader.Spec, "config.json");
        foreach (Spec spec in new[] { full, Edge.Runtime.DefaultSpec.Create() })
            Assert.Equal(System.Text.Encoding.UTF8.GetString(ReferenceJson.ToIndentedUtf8(spec, OciJsonContext.Default.Spec)),
                System.Text.Encoding.UTF8.GetString(OciJson.SpecToIndentedUtf8(spec)));
    }

    /// <summary>`exec --process` files and the recorded hooks: read and written back, the same document.</summary>
    [Fact]
    public void ProcessAndHooksRoundTrip()
    {
        JsonNode root = JsonNode.Parse(FullConfig)!;
        byte[] process = System.Text.Encoding.UTF8.GetBytes(root["process"]!.ToJsonString());
        Process p = OciJson.Parse(process, SpecReader.Process, "process.json");
        Assert.True(JsonNode.DeepEquals(root["process"], JsonNode.Parse(OciJson.ToUtf8(p, SpecWriter.Process))));

        byte[] hooks = System.Text.Encoding.UTF8.GetBytes(root["hooks"]!.ToJsonString());
        Hooks h = OciJson.Parse(hooks, SpecReader.Hooks, "hooks");
        Assert.True(JsonNode.DeepEquals(root["hooks"], JsonNode.Parse(OciJson.ToUtf8(h, SpecWriter.Hooks))));
    }

    /// <summary>Nulls where the model allows them, unknown fields at every depth, escapes and a BOM: same result both ways.</summary>
    [Theory]
    [InlineData("""{"ociVersion":"1.2.1","process":null,"root":null,"hostname":null,"domainname":null,"mounts":null,"hooks":null,"annotations":null,"linux":null}""")]
    [InlineData("""{"future":{"x":[1,{"y":null}]},"ociVersion":"1.2.1","process":{"cwd":"/","newThing":[1,2],"user":{"uid":0,"gid":0,"umask":null,"additionalGids":null,"x":true},"args":null,"env":null,"capabilities":null,"rlimits":null,"oomScoreAdj":null,"scheduler":null,"ioPriority":null,"execCPUAffinity":{"initial":null,"final":null}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"resources":{"memory":{"limit":null,"swap":-1,"disableOOMKiller":null},"cpu":{"shares":null,"quota":-1,"cpus":null},"devices":[{"allow":false,"type":null,"major":null,"minor":null,"access":"rwm"}],"blockIO":{"weight":null,"weightDevice":null},"rdma":null,"unified":{}},"seccomp":null,"namespaces":[],"sysctl":{"a":"1","a":"2"},"timeOffsets":null}}""")]
    [InlineData("""{"oci\u0056ersion":"1.2.1","hostname":"h\u00e9\n","annotations":{"k\"ey":"v\/al"},"mounts":[{"destination":"/a","options":["ro","ro"]},{"destination":"/b","type":null,"source":null}]}""")]
    [InlineData("\uFEFF{\"ociVersion\":\"1.2.1\"}  \n")]
    public void ReaderAgreesWithTheSerializer(string json)
    {
        JsonParity.AssertReadsAlike(System.Text.Encoding.UTF8.GetBytes(json), SpecReader.Spec, OciJsonContext.Default.Spec, "config.json");
    }

    [Fact]
    public void UnknownFieldsAreIgnored()
    {
        byte[] json = """{"ociVersion":"1.2.1","future":{"x":1},"process":{"cwd":"/","args":["sh"],"newThing":[1,2]},"root":{"path":"rootfs"}}"""u8.ToArray();
        Spec spec = OciJson.Parse(json, SpecReader.Spec, "config.json");
        Assert.Equal("/", spec.Process!.Cwd);
    }

    [Fact]
    public void DefaultSpecOmitsEmptyFields()
    {
        string text = System.Text.Encoding.UTF8.GetString(OciJson.ToIndentedUtf8(Edge.Runtime.DefaultSpec.Create(), SpecWriter.Spec));
        Assert.DoesNotContain("null", text);
        Assert.DoesNotContain("\"hooks\"", text);
        Assert.Contains("\t\"ociVersion\": \"1.0.2\"", text);
        // uid 0 is a value, not an omitted default.
        Assert.Contains("\"uid\": 0", text);
    }
}
