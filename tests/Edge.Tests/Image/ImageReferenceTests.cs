using Edge.Image;
using Xunit;

namespace Edge.Tests.Image;

/// <summary>References normalise as docker and containerd normalise them.</summary>
public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("user/app:v1", "docker.io/user/app:v1")]
    [InlineData("ghcr.io/org/team/app:1.0.0-rc.1", "ghcr.io/org/team/app:1.0.0-rc.1")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("127.0.0.1:5000/app:edge", "127.0.0.1:5000/app:edge")]
    [InlineData("registry.local:5000/a/b", "registry.local:5000/a/b:latest")]
    [InlineData("[::1]:5000/app", "[::1]:5000/app:latest")]
    [InlineData("Registry.Example/app", "Registry.Example/app:latest")]
    [InlineData("my_app/a__b/c-d--e/f.g", "docker.io/my_app/a__b/c-d--e/f.g:latest")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Normalises(string text, string canonical)
    {
        Assert.Equal(canonical, ImageReference.Parse(text).ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("BusyBox", "repository name must be lowercase")]
    [InlineData("busybox:", "invalid tag \"\"")]
    [InlineData("busybox:-x", "invalid tag \"-x\"")]
    [InlineData("a//b", "invalid repository name component \"\"")]
    [InlineData("a/b_-c", "invalid repository name component \"b_-c\"")]
    [InlineData("a/-b", "invalid repository name component \"-b\"")]
    [InlineData("a/b..c", "invalid repository name component \"b..c\"")]
    [InlineData("host:99999/app", "invalid registry \"host:99999\"")]
    [InlineData("busybox@sha256:abc", "invalid digest \"sha256:abc\": sha256 needs 64 hex digits")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm \"md5\"")]
    [InlineData("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "invalid digest \"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\": not lowercase hex")]
    [InlineData("example.com/", "missing repository name")]
    public void RejectsWithAReason(string text, string problem)
    {
        var ex = Assert.Throws<Edge.Image.ImageException>(() => ImageReference.Parse(text));
        Assert.Equal($"invalid image reference \"{text}\": {problem}", ex.Message);
    }

    [Fact]
    public void RejectsOverlongNames()
    {
        string name = "example.com/" + new string('a', 250);
        var ex = Assert.Throws<Edge.Image.ImageException>(() => ImageReference.Parse(name));
        Assert.EndsWith("repository name longer than 255 characters", ex.Message);
    }

    [Fact]
    public void ExposesParts()
    {
        ImageReference r = ImageReference.Parse("127.0.0.1:5000/team/app:v2");
        Assert.Equal("127.0.0.1:5000", r.Domain);
        Assert.Equal("team/app", r.Path);
        Assert.Equal("v2", r.Tag);
        Assert.Null(r.Digest);
        Assert.Equal("127.0.0.1:5000/team/app", r.Name);
    }
}
