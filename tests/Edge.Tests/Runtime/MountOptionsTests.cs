using Edge.Linux;
using Edge.Runtime.Mounts;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>How mount options become mount(2) flags, mount_setattr(2) attributes and file-system data.</summary>
public class MountOptionsTests
{
    [Fact]
    public void RecursiveOptionsSetAndClearAttributesAndTheLastOneWins()
    {
        ParsedMountOptions p = MountOptions.Parse("bind", new[] { "rbind", "rro", "rnosuid", "rnoatime" });
        Assert.Equal(MountAttributes.ReadOnly | MountAttributes.NoSuid | MountAttributes.NoAtime, p.AttributesSet);
        Assert.Equal(MountAttributes.AtimeMask, p.AttributesCleared);
        Assert.Null(p.Data);

        ParsedMountOptions flipped = MountOptions.Parse("bind", new[] { "rro", "rrw", "rnoatime", "rstrictatime" });
        Assert.Equal(MountAttributes.StrictAtime, flipped.AttributesSet);
        Assert.Equal(MountAttributes.ReadOnly | MountAttributes.AtimeMask, flipped.AttributesCleared);
    }

    [Fact]
    public void EveryOptionFeaturesListsIsKnownToTheParser()
    {
        // `features` reports MountOptions.Known(); each must be taken as an option, never passed on as data.
        string[] notFlags = { "bind", "rbind", "defaults", "tmpcopyup", "idmap", "ridmap" };
        foreach (string name in MountOptions.Known())
        {
            if (System.Array.IndexOf(notFlags, name) >= 0) continue;
            Assert.True(MountOptions.Parse("tmpfs", new[] { name }).Data is null, name);
        }
        Assert.Equal("size=1m,nosuchoption", MountOptions.Parse("tmpfs", new[] { "size=1m", "nosuchoption" }).Data);
    }

    [Fact]
    public void TmpcopyupAndAclAreOptionsNotData()
    {
        ParsedMountOptions p = MountOptions.Parse("tmpfs", new[] { "tmpcopyup", "acl", "size=1m", "mode=1777" });
        Assert.True(p.CopyUp);
        Assert.Equal(MountFlags.PosixAcl, p.Flags & MountFlags.PosixAcl);
        Assert.Equal("size=1m,mode=1777", p.Data);
    }

    [Fact]
    public void FeaturesListEveryOptionRuncLists()
    {
        // `runc features` (1.1.5) mountOptions: edge interprets each of them too.
        string[] runc = { "acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime",
            "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
            "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec",
            "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
            "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent",
            "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable" };
        Assert.Empty(System.Linq.Enumerable.Except(runc, Edge.Runtime.FeatureSet.MountOptions));
    }
}
