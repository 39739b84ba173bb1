using System.IO;
using Edge.Runtime.Cgroups;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>Which cgroup hierarchies /proc/self/mountinfo shows: only cgroup mounts, each hierarchy once.</summary>
public class CgroupHierarchyTests
{
    [Fact]
    public void FindsV1AndV2HierarchiesOnceAndSkipsEverythingElse()
    {
        using var dir = new TempDir();
        string mountinfo = dir.Combine("mountinfo");
        File.WriteAllText(mountinfo, string.Join('\n',
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw",
            "30 22 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct",
            "31 22 0:27 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory,clone_children,release_agent=/x,xattr",
            "32 22 0:28 / /sys/fs/cgroup/unified rw,nosuid shared:11 - cgroup2 cgroup2 rw,nsdelegate",
            "33 22 0:26 /sub /mnt/cpu\\040again rw - cgroup cgroup rw,cpu,cpuacct",
            "34 22 0:29 / /mnt/with\\040space rw - cgroup cgroup rw,pids",
            "35 22 0:30 / /tmp/fake rw - tmpfs cgroup rw",
            "36 22 0:31 / /short - cgroup",
            "garbage without the separator",
            ""));
        var found = CgroupHierarchy.Discover(mountinfo);
        Assert.Equal(
            new[]
            {
                new CgroupHierarchy("/sys/fs/cgroup/cpu,cpuacct", "/", "cpu,cpuacct", false),
                new CgroupHierarchy("/sys/fs/cgroup/memory", "/", "memory", false),
                new CgroupHierarchy("/sys/fs/cgroup/unified", "/", "", true),
                new CgroupHierarchy("/mnt/with space", "/", "pids", false),
            },
            found);
    }

    [Fact]
    public void ReadsThisProcesssOwnMountinfo()
    {
        // Every hierarchy found is a mounted directory.
        foreach (CgroupHierarchy h in CgroupHierarchy.Discover())
            Assert.True(Directory.Exists(h.MountPoint), h.MountPoint);
    }
}
