using System.Linq;
using System.Text;
using Edge.Image;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Layers;

/// <summary>An image's layer digests are parsed once, when it is loaded: what follows never sees a string that is not a digest.</summary>
public class ImageLayersTests
{
    private static readonly string Layer = Digest.Compute(Encoding.UTF8.GetBytes("layer")).ToString();
    private static readonly string DiffA = Digest.Compute(Encoding.UTF8.GetBytes("a")).ToString();
    private static readonly string DiffB = Digest.Compute(Encoding.UTF8.GetBytes("b")).ToString();

    private static ImageLayers Load(TempDir dir, string layerDigest, params string[] diffIds)
    {
        var store = new ContentStore(dir.Combine("s")).Initialise();
        byte[] config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + string.Join("\",\"", diffIds) + "\"]}}");
        Digest configDigest = Digest.Compute(config);
        store.Put(configDigest, config);
        var layers = new StringBuilder();
        foreach (string _ in diffIds)
            layers.Append(layers.Length > 0 ? "," : "").Append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":1}");
        byte[] manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
            configDigest + "\",\"size\":" + config.Length + "},\"layers\":[" + layers + "]}");
        Digest manifestDigest = Digest.Compute(manifest);
        store.Put(manifestDigest, manifest);
        var record = new ImageRecord { Name = "example.com/x:1", Digest = manifestDigest.ToString(), MediaType = "application/vnd.oci.image.manifest.v1+json", Manifest = manifestDigest.ToString() };
        return ImageLayers.Load(store, record);
    }

    [Fact]
    public void ChainIdsFollowTheImageSpec()
    {
        using var dir = new TempDir();
        ImageLayers image = Load(dir, Layer, DiffA, DiffB);
        Assert.Equal(new[] { DiffA, DiffB }, image.DiffIds.Select(d => d.ToString()));
        Assert.Equal(Layer, image.LayerDigests[1].ToString());
        Assert.Equal(DiffA, image.ChainIds[0].ToString()); // ChainID(L0) = DiffID(L0)
        Assert.Equal(Digest.Compute(Encoding.UTF8.GetBytes(DiffA + " " + DiffB)), image.ChainIds[1]);
    }

    [Theory]
    [InlineData("sha256:../../../etc", "diff_ids[1]")]
    [InlineData("md5:0123", "diff_ids[1]")]
    public void ADiffIdThatIsNotADigestIsRefusedWhenTheImageIsLoaded(string bad, string named)
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<ImageException>(() => Load(dir, Layer, DiffA, bad));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void ALayerDigestThatIsNotADigestIsRefusedWhenTheImageIsLoaded()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<ImageException>(() => Load(dir, "sha256:ABC", DiffA));
        Assert.Contains("layers[0].digest", ex.Message);
    }
}
