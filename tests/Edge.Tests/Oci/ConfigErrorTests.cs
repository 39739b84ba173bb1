using System.Text;
using Edge.Oci.Json;
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
        var ex = Assert.Throws<OciFormatException>(() => OciJson.Parse(Encoding.UTF8.GetBytes(json), OciJsonContext.Default.Spec, "config.json"));
        Assert.Equal(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    /// <summary>The fast path (SpecReader) declines every malformed document, so the context words the error.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void FastPathDeclinesAndGivesTheSameError(string json, string expected)
    {
        Assert.Equal(expected, FastPath.AssertLeftToContext(Encoding.UTF8.GetBytes(json), SpecReader.Spec, OciJsonContext.Default.Spec, "config.json"));
    }

    /// <summary>What the context rejects, the fast path does not accept either.</summary>
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
    public void FastPathDeclinesWhatTheContextRejects(string json)
    {
        FastPath.AssertLeftToContext(Encoding.UTF8.GetBytes(json), SpecReader.Spec, OciJsonContext.Default.Spec, "config.json");
    }

    /// <summary>A null element of an array or map: the context takes it (it checks nullability only on properties), the fast path leaves it to the context.</summary>
    [Theory]
    [InlineData("""{"ociVersion":"1.2.1","linux":{"sysctl":{"a":null}}}""")]
    [InlineData("""{"ociVersion":"1.2.1","mounts":[null]}""")]
    public void FastPathLeavesNullElementsToTheContext(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Assert.False(FastJson.TryRead(utf8, SpecReader.Spec, out _));
        Spec reference = OciJson.Parse(utf8, OciJsonContext.Default.Spec, "config.json");
        Spec fast = OciJson.Parse(utf8, SpecReader.Spec, static () => OciJsonContext.Default.Spec, "config.json");
        Assert.Equal(OciJson.ToUtf8(reference, OciJsonContext.Default.Spec), OciJson.ToUtf8(fast, OciJsonContext.Default.Spec));
    }

    [Fact]
    public void MissingFileNamesTheFile()
    {
        var ex = Assert.Throws<OciFormatException>(() => OciJson.ReadFile("/nonexistent/config.json", OciJsonContext.Default.Spec));
        Assert.Equal("/nonexistent/config.json: no such file or directory", ex.Message);
    }
}
