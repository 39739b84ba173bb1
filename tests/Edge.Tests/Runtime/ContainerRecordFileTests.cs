using System.Collections.Generic;
using System.Text;
using Edge.Runtime;
using Edge.Runtime.State;
using Xunit;

namespace Edge.Tests.Runtime;

public class ContainerRecordFileTests
{
    [Fact]
    public void RoundTripsEveryFieldIncludingAwkwardText()
    {
        var record = new ContainerRecord
        {
            Id = "web-1", Bundle = "/srv/bundles/a b\\c", Rootfs = "/srv/bundles/rootfs\nwith newline", Pid = 4242, PidStartTime = 123456789,
            Created = "2026-11-22T16:00:00.0000000Z", Owner = "root", CgroupUnified = true,
            CgroupPaths = new List<string> { "/sys/fs/cgroup/edge/web-1" },
            Annotations = new Dictionary<string, string> { ["k=1"] = "v=\r\n2", ["empty"] = "" },
            Hooks = new Edge.Oci.RuntimeSpec.Hooks { Poststop = new List<Edge.Oci.RuntimeSpec.Hook> { new() { Path = "/bin/echo", Args = new List<string> { "echo", "bye" }, Timeout = 3 } } },
        };
        byte[] bytes = ContainerRecordFile.Write(record);
        Assert.DoesNotContain("\nwith", Encoding.UTF8.GetString(bytes)); // one line per field
        ContainerRecord back = ContainerRecordFile.Read(bytes, "state");
        Assert.Equal(record.Id, back.Id);
        Assert.Equal(record.Bundle, back.Bundle);
        Assert.Equal(record.Rootfs, back.Rootfs);
        Assert.Equal(record.Pid, back.Pid);
        Assert.Equal(record.PidStartTime, back.PidStartTime);
        Assert.Equal(record.Created, back.Created);
        Assert.Equal(record.Owner, back.Owner);
        Assert.True(back.CgroupUnified);
        Assert.Equal(record.CgroupPaths, back.CgroupPaths);
        Assert.Equal(record.Annotations, back.Annotations);
        Assert.Equal("/bin/echo", back.Hooks!.Poststop![0].Path);
        Assert.Equal(new[] { "echo", "bye" }, back.Hooks.Poststop[0].Args);
        Assert.Equal(3, back.Hooks.Poststop[0].Timeout);
    }

    [Fact]
    public void LongIdsAndPathsWhoseEveryCharacterIsEscapedRoundTrip()
    {
        // The writer sizes its buffer from the record before writing (escaping at most doubles a value).
        string id = new('f', 64);
        var paths = new List<string>();
        for (int i = 0; i < 12; i++) paths.Add($"/sys/fs/cgroup/controller{i}/{new string('\\', 40)}/{id}");
        var record = new ContainerRecord
        {
            Id = id, Bundle = new string('\n', 300), Rootfs = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + id + "/rootfs",
            Created = "2026-12-01T00:00:00Z", CgroupPaths = paths,
        };
        ContainerRecord back = ContainerRecordFile.Read(ContainerRecordFile.Write(record), "state");
        Assert.Equal(record.Id, back.Id);
        Assert.Equal(record.Bundle, back.Bundle);
        Assert.Equal(record.Rootfs, back.Rootfs);
        Assert.Equal(paths, back.CgroupPaths);
    }

    [Fact]
    public void NoAnnotationsNoHooksStayNull()
    {
        var record = new ContainerRecord { Id = "a", Bundle = "/b", Rootfs = "/b/rootfs", Created = "now" };
        ContainerRecord back = ContainerRecordFile.Read(ContainerRecordFile.Write(record), "state");
        Assert.Null(back.Annotations);
        Assert.Null(back.Hooks);
        Assert.Null(back.CgroupPaths);
    }

    [Fact]
    public void ErrorsNameTheLineAndLaterFieldsAreIgnored()
    {
        string good = "edge-container-record 1\nid=a\nbundle=/b\nrootfs=/b/rootfs\ncreated=now\n";
        ContainerRecord back = ContainerRecordFile.Read(Encoding.UTF8.GetBytes(good + "\nfromALaterEdge=x\n"), "state");
        Assert.Equal("/b", back.Bundle);
        var ex = Assert.Throws<RuntimeException>(() => ContainerRecordFile.Read(Encoding.UTF8.GetBytes(good + "no equals sign\n"), "state"));
        Assert.Equal("state: line 6: expected key=value", ex.Message);
        ex = Assert.Throws<RuntimeException>(() => ContainerRecordFile.Read(Encoding.UTF8.GetBytes("edge-container-record 1\nid=a\n"), "state"));
        Assert.Equal("state: incomplete container record", ex.Message);
        ex = Assert.Throws<RuntimeException>(() => ContainerRecordFile.Read(Encoding.UTF8.GetBytes("edge-container-record 12\n" + good[24..]), "state"));
        Assert.Equal("state: not an edge container record", ex.Message);
        Assert.Throws<RuntimeException>(() => ContainerRecordFile.Read(System.Array.Empty<byte>(), "state"));
    }

    [Fact]
    public void ForeignFileIsOneLineError()
    {
        var ex = Assert.Throws<RuntimeException>(() => ContainerRecordFile.Read(Encoding.UTF8.GetBytes("{\"id\":\"x\"}"), "state of \"x\""));
        Assert.Equal("state of \"x\": not an edge container record", ex.Message);
    }
}
