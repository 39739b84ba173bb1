using System.Collections.Generic;
using System.IO;
using Edge.Image;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Layers.Snapshots;

namespace Edge.Containers;

/// <summary>`edge rmi` and `edge prune`: layer snapshots that no stored image names and no image container uses go.</summary>
public static class SnapshotPruner
{
    /// <summary>How many snapshots were removed.</summary>
    public static int Prune(ContentStore store)
    {
        if (!Directory.Exists(store.Root)) return 0;
        var images = new List<ImageLayers>();
        foreach (ImageRecord r in store.Images())
        {
            try { images.Add(ImageLayers.Load(store, r)); }
            catch (ImageException) { } // an image whose content is gone keeps nothing
        }
        return new SnapshotStore(store).Prune(images, ImageContainer.LayersInUse(store));
    }
}
