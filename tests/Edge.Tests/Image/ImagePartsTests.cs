using System.Collections.Generic;
using System.IO;
using Edge.Image;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Oci.Image;
using Xunit;

namespace Edge.Tests.Image;

/// <summary>The image side's small parts: digests, platforms, challenges, credentials, media types, names.</summary>
public class ImagePartsTests
{
    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", null)]
    [InlineData("sha512:" + "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", null)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "digits must be lowercase hex")]
    [InlineData("sha256:abc", "sha256 needs 64 hex digits, got 3")]
    [InlineData("md5:abc", "unsupported digest algorithm \"md5\"")]
    [InlineData("nocolon", "expected algorithm:hex")]
    public void DigestParsing(string text, string? problem)
    {
        Assert.Equal(problem is null, Digest.TryParse(text, out _, out string? why));
        Assert.Equal(problem, why);
    }

    [Fact]
    public void DigestOfContent()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute(System.ReadOnlySpan<byte>.Empty).ToString());
        Assert.StartsWith("sha512:cf83e1357eefb8bd", Digest.Compute(System.ReadOnlySpan<byte>.Empty, "sha512").ToString());
    }

    [Theory]
    [InlineData("linux/arm64/v8", "linux", "arm64", "", "linux/arm64")]
    [InlineData("linux/aarch64", "linux", "arm64", "v8", "linux/arm64")]
    [InlineData("arm64", "linux", "arm64", "", "linux/arm64")]
    [InlineData("linux/x86_64", "linux", "amd64", "", "linux/amd64")]
    [InlineData("linux/arm/7", "linux", "arm", "v7", "linux/arm/v7")]
    public void PlatformsNormaliseAndMatch(string text, string os, string arch, string variant, string normal)
    {
        PlatformSpec spec = PlatformSpec.Parse(text);
        Assert.Equal(normal, spec.ToString());
        Assert.True(spec.Matches(new Platform { Os = os, Architecture = arch, Variant = variant }));
    }

    [Fact]
    public void PlatformMismatches()
    {
        Assert.False(PlatformSpec.Parse("linux/arm/v7").Matches(new Platform { Os = "linux", Architecture = "arm", Variant = "v6" }));
        Assert.False(PlatformSpec.Parse("linux/amd64").Matches(new Platform { Os = "windows", Architecture = "amd64" }));
        Assert.False(PlatformSpec.Parse("linux/arm").Matches(new Platform { Os = "linux", Architecture = "arm", Variant = "v5" }));
        Assert.Throws<ImageException>(() => PlatformSpec.Parse("linux//v7"));
    }

    [Fact]
    public void SelectPlatformPrefersFirstMatchAndExplainsMisses()
    {
        var index = new Index
        {
            SchemaVersion = 2,
            Manifests = new List<Descriptor>
            {
                new() { MediaType = MediaTypes.OciManifest, Digest = "sha256:" + new string('1', 64), Size = 1, Platform = new Platform { Os = "linux", Architecture = "amd64" } },
                new() { MediaType = "application/vnd.in-toto+json", Digest = "sha256:" + new string('2', 64), Size = 1, Platform = new Platform { Os = "unknown", Architecture = "unknown" } },
                new() { MediaType = MediaTypes.DockerManifest, Digest = "sha256:" + new string('3', 64), Size = 1, Platform = new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" } },
            },
        };
        Assert.Equal('3', ImageContent.SelectPlatform(index, PlatformSpec.Parse("linux/arm64"), "x").Digest[^1]);
        var ex = Assert.Throws<ImageException>(() => ImageContent.SelectPlatform(index, PlatformSpec.Parse("linux/riscv64"), "ref"));
        Assert.Equal("ref: no image for platform linux/riscv64 (the index has: linux/amd64, linux/arm64)", ex.Message);
    }

    [Fact]
    public void ChallengesParse()
    {
        AuthChallenge c = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"")!;
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c["realm"]);
        Assert.Equal("registry.docker.io", c["service"]);
        Assert.Equal("repository:library/busybox:pull", c["scope"]);
        AuthChallenge b = AuthChallenge.Parse("Basic realm=\"a \\\"quoted\\\" realm\", charset=UTF-8")!;
        Assert.True(b.IsBasic);
        Assert.Equal("a \"quoted\" realm", b["realm"]);
        Assert.Equal("UTF-8", b["charset"]);
        Assert.Null(AuthChallenge.Parse(""));
    }

    [Fact]
    public void CredentialsFromAuthFile()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="},
                  "registry.example:5000": {"username": "u", "password": "p"},
                  "https://ghcr.io": {"auth": "Z2g6dG9rZW46d2l0aDpjb2xvbnM="}
                }, "credsStore": "desktop"}
                """);
            CredentialStore store = CredentialStore.FromFile(path);
            Assert.Equal(new Credential("hub", "secret"), store.Find("docker.io"));
            Assert.Equal(new Credential("u", "p"), store.Find("registry.example:5000"));
            Assert.Equal(new Credential("gh", "token:with:colons"), store.Find("ghcr.io"));
            Assert.Null(store.Find("quay.io"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example", false)]
    [InlineData("insecure.example:5000", true)]
    [InlineData("10.0.0.1", false)]
    public void PlainHttpOnlyForLoopbackAndNamedHosts(string host, bool allowed)
    {
        Assert.Equal(allowed, RegistryClient.IsPlainHttpAllowed(host, new[] { "insecure.example:5000" }));
    }

    [Theory]
    [InlineData("application/vnd.oci.image.index.v1+json", "{}", "application/vnd.oci.image.index.v1+json")]
    [InlineData("application/octet-stream", "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"}", "application/vnd.docker.distribution.manifest.v2+json")]
    [InlineData(null, "{\"schemaVersion\":2,\"manifests\":[]}", "application/vnd.oci.image.index.v1+json")]
    [InlineData(null, "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json")]
    public void ManifestMediaTypes(string? contentType, string body, string expected)
    {
        Assert.Equal(expected, ImageContent.Resolve(contentType, System.Text.Encoding.UTF8.GetBytes(body), "ref"));
    }

    [Fact]
    public void SchemaOneIsRefusedByName()
    {
        var ex = Assert.Throws<ImageException>(() => ImageContent.Resolve(ImageContent.DockerSchema1Signed, "{}"u8, "ref"));
        Assert.StartsWith("ref: Docker schema 1 manifests are not supported", ex.Message);
    }

    [Fact]
    public void NamesAsUsersTypeThem()
    {
        string digest = "sha256:" + new string('a', 64);
        var images = new List<ImageRecord>
        {
            new() { Name = "docker.io/library/busybox:latest", Digest = digest, MediaType = MediaTypes.OciManifest, Manifest = digest },
            new() { Name = "example.com/app:1", Digest = "sha256:" + new string('b', 64), MediaType = MediaTypes.OciManifest, Manifest = "sha256:" + new string('c', 64) },
        };
        Assert.Single(ImageNames.Find(images, "busybox"));
        Assert.Single(ImageNames.Find(images, "docker.io/library/busybox"));
        Assert.Single(ImageNames.Find(images, "aaaaaaaaaaaa"));
        Assert.Single(ImageNames.Find(images, "cccccccccccc"));
        Assert.Single(ImageNames.Find(images, "busybox@" + digest));
        Assert.Empty(ImageNames.Find(images, "busybox:1"));
        Assert.Empty(ImageNames.Find(images, "aaaa"));
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1006, "1.01kB")]
    [InlineData(1_089_808, "1.09MB")]
    [InlineData(123_456_789, "123MB")]
    public void SizesAsDockerPrintsThem(long bytes, string text)
    {
        Assert.Equal(text, Edge.Cli.CommandLine.Sizes.Human(bytes));
    }
}
