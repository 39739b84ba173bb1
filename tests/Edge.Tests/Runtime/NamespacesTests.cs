using System.Collections.Generic;
using System.Text;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;
using Edge.Runtime.Lifecycle;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>linux.namespaces decoded for create and exec (Lifecycle/Namespaces.cs), without a kernel.</summary>
public class NamespacesTests
{
    private static LinuxSpec Linux(string json) =>
        OciJson.Parse(Encoding.UTF8.GetBytes("{\"ociVersion\": \"1.2.1\", \"linux\": " + json + "}"), SpecReader.Spec, "config.json").Linux!;

    [Fact]
    public void NewNamespacesBecomeCloneFlagsExceptThoseTheInitMakesItself()
    {
        Namespaces ns = Namespaces.ForCreate(Linux("{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\"}, {\"type\": \"uts\"}, {\"type\": \"cgroup\"}, {\"type\": \"time\"}]}"));
        Assert.Equal(CloneFlags.NewPid | CloneFlags.NewNs | CloneFlags.NewNet | CloneFlags.NewUts, ns.CloneFlags);
        // cgroup: unshared after the init is placed in its cgroup; time: after its offsets are written.
        Assert.True(ns.NewCgroup);
        Assert.True(ns.NewTime);
        Assert.True(ns.NewNetwork && ns.NewUts && ns.Mount);
        Assert.False(ns.NewUser);
        Assert.Empty(ns.Join);
        Assert.Null(ns.JoinPid);
    }

    [Fact]
    public void JoinedNamespacesGoUserFirstAndPidApart()
    {
        Namespaces ns = Namespaces.ForCreate(Linux("{\"namespaces\": [{\"type\": \"network\", \"path\": \"/run/netns/a\"}, {\"type\": \"pid\", \"path\": \"/proc/7/ns/pid\"}, {\"type\": \"user\", \"path\": \"/proc/7/ns/user\"}, {\"type\": \"mount\"}]}"));
        Assert.Equal(new List<(string, string)> { ("user", "/proc/7/ns/user"), ("network", "/run/netns/a") }, ns.Join);
        Assert.Equal("/proc/7/ns/pid", ns.JoinPid);
        Assert.Equal(CloneFlags.NewNs, ns.CloneFlags);
        Assert.False(ns.NewNetwork);
    }

    [Fact]
    public void ExecJoinsEveryConfiguredNamespaceOfTheInitInSetnsOrder()
    {
        Namespaces ns = Namespaces.ForExec(Linux("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"user\"}, {\"type\": \"ipc\"}]}"), 42);
        Assert.Equal(new List<(string, string)>
        {
            ("user", "/proc/42/ns/user"), ("ipc", "/proc/42/ns/ipc"), ("network", "/proc/42/ns/net"), ("mount", "/proc/42/ns/mnt"),
        }, ns.Join);
        Assert.Equal("/proc/42/ns/pid", ns.JoinPid);
        Assert.Equal(0UL, ns.CloneFlags);
    }

    [Theory]
    [InlineData("{\"namespaces\": [{\"type\": \"bogus\"}]}", "config.json: $.linux.namespaces: unknown namespace type \"bogus\"")]
    [InlineData("{\"namespaces\": [{\"type\": \"user\"}]}", "config.json: $.linux.uidMappings: a new user namespace needs uidMappings and gidMappings")]
    public void BadNamespacesAreOneLine(string linux, string message) =>
        Assert.Equal(message, Assert.Throws<RuntimeException>(() => Namespaces.ForCreate(Linux(linux))).Message);
}
