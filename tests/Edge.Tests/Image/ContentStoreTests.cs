using System;
using System.IO;
using Edge.Image;
using Edge.Image.Store;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Image;

/// <summary>The store's ingest in-process: verification, resume, sha512, oversize content.</summary>
public class ContentStoreTests
{
    private static readonly byte[] Content = System.Text.Encoding.UTF8.GetBytes(new string('x', 100_000) + "end");

    [Theory]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public void PublishesOnlyVerifiedContent(string algorithm)
    {
        using var dir = new TempDir();
        var store = new ContentStore(dir.Combine("s")).Initialise();
        Digest digest = Digest.Compute(Content, algorithm);
        using (Ingest ingest = store.BeginIngest(digest, Content.Length)!)
        {
            ingest.Append(Content.AsSpan(0, 1000));
            Assert.False(store.Has(digest));
            ingest.Append(Content.AsSpan(1000));
            Assert.Equal(digest, ingest.Commit());
        }
        Assert.True(store.Has(digest));
        Assert.Equal(Content, File.ReadAllBytes(store.BlobPath(digest)));
        Assert.Null(store.BeginIngest(digest, Content.Length)); // already there
        Assert.Empty(Directory.GetFiles(store.IngestDirectory));
    }

    [Fact]
    public void ResumesFromAPartialAndRefusesWrongContent()
    {
        using var dir = new TempDir();
        var store = new ContentStore(dir.Combine("s")).Initialise();
        Digest digest = Digest.Compute(Content);
        using (Ingest first = store.BeginIngest(digest, Content.Length)!)
            first.Append(Content.AsSpan(0, 4096)); // interrupted: the partial stays
        using (Ingest resumed = store.BeginIngest(digest, Content.Length)!)
        {
            Assert.Equal(4096, resumed.Offset);
            resumed.Append(Content.AsSpan(4096));
            resumed.Commit();
        }
        Assert.True(store.Has(digest));

        Digest other = Digest.Compute("something else"u8);
        using (Ingest wrong = store.BeginIngest(other, Content.Length)!)
        {
            wrong.Append(Content);
            var ex = Assert.Throws<DigestMismatchException>(() => wrong.Commit());
            Assert.Equal($"blob {other}: content has digest {digest}", ex.Message);
        }
        Assert.False(store.Has(other));
        Assert.Empty(Directory.GetFiles(store.IngestDirectory, "*.partial"));

        using Ingest tooLong = store.BeginIngest(other, 10)!;
        var overflow = Assert.Throws<DigestMismatchException>(() => tooLong.Append(Content.AsSpan(0, 11)));
        Assert.Equal($"blob {other}: more than the 10 bytes its descriptor says", overflow.Message);
    }

    [Fact]
    public void ImagesJsonIsReplacedWhole()
    {
        using var dir = new TempDir();
        var store = new ContentStore(dir.Combine("s")).Initialise();
        string d = "sha256:" + new string('a', 64);
        ImageNames.Set(store, new ImageRecord { Name = "b:1", Digest = d, MediaType = "m", Manifest = d });
        ImageNames.Set(store, new ImageRecord { Name = "a:1", Digest = d, MediaType = "m", Manifest = d });
        ImageNames.Set(store, new ImageRecord { Name = "b:1", Digest = d, MediaType = "m2", Manifest = d });
        var images = store.Images();
        Assert.Equal(new[] { "a:1", "b:1" }, images.ConvertAll(i => i.Name));
        Assert.Equal("m2", images[1].MediaType);
        Assert.Equal(new[] { "images.json" }, Array.ConvertAll(Directory.GetFiles(store.Root, "*.json"), Path.GetFileName));
    }
}
