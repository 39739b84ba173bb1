using System.IO;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>
/// The project's multi-architecture sample (rootfs-samples/build-multiarch-image.sh: linux/amd64 and
/// linux/arm64/v8 under one index): on this x64 machine edge loads and runs the amd64 image. The arm64 VM
/// loads the same archive and runs the arm64 one (Arm64VmTests: image-run-arm64).
/// </summary>
public class MultiArchSampleTests
{
    private static string Archive => Path.Combine(EdgeProcess.SamplesDirectory, "busybox-multiarch.tar");

    [Fact]
    public void LoadsAndRunsThisMachinesImage()
    {
        Assert.True(File.Exists(Archive), $"{Archive} missing: ./build.sh test builds it (rootfs-samples/build-multiarch-image.sh)");
        using var store = new TestStore();
        ProcessResult load = store.Edge("load", Archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        ProcessResult images = store.Edge("images");
        Assert.Contains("linux/amd64", images.Stdout);
        ProcessResult run = store.Edge("--root", store.Combine("state"), "run", "--rm", SampleImages.Name, "uname", "-m");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("x86_64\n", run.Stdout);

        // Asked for explicitly, the other architecture's image loads too (what a device's image cache is made from).
        using var armStore = new TestStore();
        ProcessResult armLoad = armStore.Edge("load", "--platform", "linux/arm64", Archive);
        Assert.True(armLoad.ExitCode == 0, armLoad.ToString());
        Assert.Contains("linux/arm64", armStore.Edge("images").Stdout);
    }
}
