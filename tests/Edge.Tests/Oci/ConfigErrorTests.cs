using System.Text;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Oci;

/// <summary>Malformed config.json files give one line naming the file, the JSON path and the line.</summary>
public class ConfigErrorTests
{
    public static TheoryData<string, string> Cases => new()
    {
        {
            "{\n  \"ociVersion\": \"1.2.1\",\n  \"process\": {\n    \"cwd\": \"/\",\n    \"args\": \"sh\"\n  }\n}",
            "config.json: $.process.args: expected array of strings, got string (line 5)"
        },
        {
            "{\n  \"ociVersion\": \"1.2.1\",\n  \"process\": {\n    \"cwd\": \"/\",\n    \"args\": [\"sh\", 7]\n  }\n}",
            "config.json: $.process.args: expected array of strings, got 7 at [1] (line 5)"
        },
        {
            "{\n  \"ociVersion\": \"1.2.1\",\n  \"process\": {\n    \"args\": [\"sh\"]\n  }\n}",
            "config.json: $.process: missing required field \"cwd\" (line 3)"
        },
        {
            "{\n  \"process\": {\"cwd\": \"/\"}\n}",
            "config.json: $: missing required field \"ociVersion\" (line 1)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1}}}",
            "config.json: $.process.user.uid: expected unsigned integer, got -1 (line 2)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"process\": {\"cwd\": null}}",
            "config.json: $.process.cwd: expected string, got null (line 2)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"linux\": {\"namespaces\": [{\"type\": \"pid\"},\n {\"path\": \"/proc/1/ns/net\"}]}}",
            "config.json: $.linux.namespaces[1]: missing required field \"type\" (line 3)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"annotations\": {\"com.example.key\": 5}}",
            "config.json: $.annotations['com.example.key']: expected string, got 5 (line 2)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"root\": {\"path\": \"rootfs\", \"readonly\": \"yes\"}}",
            "config.json: $.root.readonly: expected boolean, got string (line 2)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"linux\": {\"resources\": {\"memory\": {\"limit\": 1.5}}}}",
            "config.json: $.linux.resources.memory.limit: expected integer, got 1.5 (line 2)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"mounts\": {\"destination\": \"/x\"}}",
            "config.json: $.mounts: expected array of objects, got object (line 2)"
        },
        {
            "[]",
            "config.json: $: expected object, got array (line 1)"
        },
        {
            "{\"ociVersion\": \"1.2.1\",\n \"process\": {\"cwd\": \"/\",}\n}",
            "config.json: invalid JSON (line 2)"
        },
        {
            "",
            "config.json: invalid JSON (line 1)"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedConfigGivesOneLineNamingPathAndLine(string json, string expected)
    {
        var ex = Assert.Throws<OciFormatException>(() => OciJson.Parse(Encoding.UTF8.GetBytes(json), SpecReader.Spec, "config.json"));
        Assert.Equal(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    /// <summary>The same errors as System.Text.Json's serializer gave, worded by edge's old describer (Reference).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ErrorsAreTheSerializersErrors(string json, string expected)
    {
        Assert.Equal(expected, JsonParity.AssertRefusedAlike(Encoding.UTF8.GetBytes(json), SpecReader.Spec, OciJsonContext.Default.Spec, "config.json"));
    }

    /// <summary>What the serializer refuses, edge's reader refuses with the same words.</summary>
    [Theory]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","user":null}}""")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","terminal":null}}""")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","user":{"uid":4294967296}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","user":{"uid":"0"}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","rlimits":[{"type":"RLIMIT_NOFILE","hard":1}]}}""")]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"resources":{"blockIO":{"weight":65536}}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":null,"action":"SCMP_ACT_ALLOW"}]}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"resources":{"devices":[{"access":"rwm"}]}}}""")]
    [InlineData("""{"ociVersion":"1.2.1"} {}""")]
    [InlineData("""{"ociVersion":"1.2.1" /* comment */}""")]
    [InlineData("null")]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"uidMappings":[{"containerID":0,"hostID":1}],"gidMappings":"x"}}""")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","user":{"additionalGids":[1,-2]}}}""")]
    [InlineData("""{"ociVersion":"1.2.1",\n"process":{"cwd":"/","args":["a",\n{"b":1}]}}""")]
    public void RefusesWhatTheSerializerRefuses(string json)
    {
        JsonParity.AssertRefusedAlike(Encoding.UTF8.GetBytes(json.Replace("\\n", "\n")), SpecReader.Spec, OciJsonContext.Default.Spec, "config.json");
    }

    /// <summary>
    /// A null element of an array or map: the serializer took it (it checks nullability only on properties)
    /// and left a null for the runtime to trip over; edge refuses it, naming the element.
    /// </summary>
    [Theory]
    [InlineData("""{"ociVersion":"1.2.1",\n"linux":{"sysctl":{"a":null}}}""", "config.json: $.linux.sysctl.a: expected string, got null (line 2)")]
    [InlineData("""{"ociVersion":"1.2.1","mounts":[null]}""", "config.json: $.mounts[0]: expected object, got null (line 1)")]
    [InlineData("""{"ociVersion":"1.2.1","process":{"cwd":"/","env":["A=1",null]}}""", "config.json: $.process.env: expected array of strings, got null at [1] (line 1)")]
    public void NullElementsAreRefused(string json, string expected)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json.Replace("\\n", "\n"));
        ReferenceJson.Parse(utf8, OciJsonContext.Default.Spec, "config.json");
        var ex = Assert.Throws<OciFormatException>(() => OciJson.Parse(utf8, SpecReader.Spec, "config.json"));
        Assert.Equal(expected, ex.Message);
    }

    /// <summary>A hostile key cannot break the one line or reach the terminal as escape sequences.</summary>
    [Fact]
    public void KeysInErrorsArePrintable()
    {
        byte[] utf8 = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.1\",\"annotations\":{\"a\\n\\u001b[31mb\":5}}");
        var ex = Assert.Throws<OciFormatException>(() => OciJson.Parse(utf8, SpecReader.Spec, "config.json"));
        Assert.Equal("config.json: $.annotations['a\\n\\u001b[31mb']: expected string, got 5 (line 1)", ex.Message);
    }

    [Fact]
    public void MissingFileNamesTheFile()
    {
        var ex = Assert.Throws<OciFormatException>(() => OciJson.ReadFile("/nonexistent/config.json", SpecReader.Spec));
        Assert.Equal("/nonexistent/config.json: no such file or directory", ex.Message);
    }
}
