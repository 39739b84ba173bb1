using System.Collections.Generic;
using Edge.Image;
using Edge.Image.Store;
using Edge.Oci.Image;
using Edge.Oci.Json;

namespace Edge.Layers;

/// <summary>An image in the store with what the layer side needs: its manifest, config, DiffIDs and ChainIDs.</summary>
public sealed class ImageLayers
{
    private ImageLayers(ImageRecord record, Manifest manifest, ImageConfig config, string configDigest)
    {
        Record = record;
        Manifest = manifest;
        Config = config;
        ConfigDigest = configDigest;
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new ImageException($"{record.Name}: the config lists {config.RootFs.DiffIds.Count} diff_ids for {manifest.Layers.Count} layers");
        ChainIds = ComputeChainIds(config.RootFs.DiffIds);
    }

    public ImageRecord Record { get; }
    public Manifest Manifest { get; }
    public ImageConfig Config { get; }
    public string ConfigDigest { get; }
    public IReadOnlyList<string> DiffIds => Config.RootFs.DiffIds;
    /// <summary>image-spec config.md: ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public IReadOnlyList<string> ChainIds { get; }

    public static ImageLayers Load(ContentStore store, ImageRecord record)
    {
        Digest manifestDigest = Digest.Parse(record.Manifest);
        Manifest manifest = ImageContent.ParseManifest(store.Read(manifestDigest, "manifest"), $"{record.Name}: manifest {manifestDigest}");
        Digest configDigest = Digest.Parse(manifest.Config.Digest);
        ImageConfig config = OciJson.Parse(store.Read(configDigest, "config"), ImageReader.Config, static () => OciJsonContext.Default.ImageConfig, $"{record.Name}: config {configDigest}");
        return new ImageLayers(record, manifest, config, configDigest.ToString());
    }

    public static List<string> ComputeChainIds(IReadOnlyList<string> diffIds)
    {
        var chain = new List<string>(diffIds.Count);
        for (int i = 0; i < diffIds.Count; i++)
            chain.Add(i == 0 ? diffIds[0] : Digest.Compute(System.Text.Encoding.UTF8.GetBytes(chain[i - 1] + " " + diffIds[i])).ToString());
        return chain;
    }
}
