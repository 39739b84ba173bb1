using System.Collections.Generic;
using Edge.Image;
using Edge.Image.Store;
using Edge.Oci.Image;
using Edge.Oci.Json;

namespace Edge.Layers;

/// <summary>
/// An image in the store with what the layer side needs: its manifest, config, and the digests of its layers
/// (blobs, DiffIDs, ChainIDs), each parsed once here: an image whose documents name something that is not a
/// digest is refused when it is loaded, and what follows passes <see cref="Digest"/>s, not strings.
/// </summary>
public sealed class ImageLayers
{
    private ImageLayers(ImageRecord record, Manifest manifest, ImageConfig config, Digest configDigest)
    {
        Record = record;
        Manifest = manifest;
        Config = config;
        ConfigDigest = configDigest;
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new ImageException($"{record.Name}: the config lists {config.RootFs.DiffIds.Count} diff_ids for {manifest.Layers.Count} layers");
        var diffIds = new List<Digest>(manifest.Layers.Count);
        var blobs = new List<Digest>(manifest.Layers.Count);
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            diffIds.Add(Digest.Parse(config.RootFs.DiffIds[i], $"{record.Name}: config {configDigest}: diff_ids[{i}]"));
            blobs.Add(Digest.Parse(manifest.Layers[i].Digest, $"{record.Name}: manifest: layers[{i}].digest"));
        }
        DiffIds = diffIds;
        LayerDigests = blobs;
        ChainIds = ComputeChainIds(diffIds);
    }

    public ImageRecord Record { get; }
    public Manifest Manifest { get; }
    public ImageConfig Config { get; }
    public Digest ConfigDigest { get; }
    /// <summary>The layers' blobs (compressed, as the manifest lists them), bottom first.</summary>
    public IReadOnlyList<Digest> LayerDigests { get; }
    /// <summary>The digests of the layers' uncompressed tar streams (the config's rootfs.diff_ids).</summary>
    public IReadOnlyList<Digest> DiffIds { get; }
    /// <summary>image-spec config.md: ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public IReadOnlyList<Digest> ChainIds { get; }

    public static ImageLayers Load(ContentStore store, ImageRecord record)
    {
        Digest manifestDigest = Digest.Parse(record.Manifest);
        Manifest manifest = ImageContent.ParseManifest(store.Read(manifestDigest, "manifest"), $"{record.Name}: manifest {manifestDigest}");
        Digest configDigest = Digest.Parse(manifest.Config.Digest);
        ImageConfig config = OciJson.Parse(store.Read(configDigest, "config"), ImageReader.Config, $"{record.Name}: config {configDigest}");
        return new ImageLayers(record, manifest, config, configDigest);
    }

    public static List<Digest> ComputeChainIds(IReadOnlyList<Digest> diffIds)
    {
        var chain = new List<Digest>(diffIds.Count);
        for (int i = 0; i < diffIds.Count; i++)
            chain.Add(i == 0 ? diffIds[0] : Digest.Compute(System.Text.Encoding.UTF8.GetBytes(chain[i - 1] + " " + diffIds[i])));
        return chain;
    }
}
