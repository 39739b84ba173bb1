using System;
using System.Collections.Generic;
using System.IO;
using Edge.Image;
using Edge.Image.Store;
using Edge.Linux;

namespace Edge.Layers.Snapshots;

/// <summary>
/// One directory per layer, keyed by the layer's ChainID, holding that layer alone with its whiteouts as
/// overlayfs whiteouts: snapshots/&lt;chainid-hex&gt;/fs, as containerd's overlay snapshotter keeps them. A layer
/// is unpacked into a temporary directory and renamed into place, so a crash leaves no half snapshot; a
/// lock per ChainID lets concurrent runs of one image unpack each layer once.
/// </summary>
public sealed class SnapshotStore
{
    private readonly ContentStore _content;

    public SnapshotStore(ContentStore content)
    {
        _content = content;
        Root = Path.Combine(content.Root, "snapshots");
    }

    public string Root { get; }

    /// <summary>Unpacks whatever layers of <paramref name="image"/> are missing; returns the fs dirs, bottom first.</summary>
    public List<string> Prepare(ImageLayers image, Action<string>? warn)
    {
        _content.Initialise();
        PrivateDirectory.Ensure(Root);
        var dirs = new List<string>();
        for (int i = 0; i < image.ChainIds.Count; i++)
        {
            string hex = image.ChainIds[i].Hex;
            string final = Path.Combine(Root, hex);
            dirs.Add(Path.Combine(final, "fs"));
            if (Directory.Exists(final)) continue;
            using FileLock layerLock = FileLock.Acquire(Path.Combine(Root, hex + ".lock"));
            if (Directory.Exists(final)) continue;

            string temp = Path.Combine(Root, $".{hex}.{Environment.ProcessId}.tmp");
            if (Directory.Exists(temp)) Directory.Delete(temp, true);
            Directory.CreateDirectory(Path.Combine(temp, "fs"));
            try
            {
                Unpacker.ApplyLayer(_content, image, i, Path.Combine(temp, "fs"), WhiteoutMode.Overlay, warn);
                File.WriteAllText(Path.Combine(temp, "parent"), i == 0 ? "" : image.ChainIds[i - 1].ToString());
                Directory.Move(temp, final);
                AtomicFile.SyncDirectory(Root);
                temp = "";
            }
            finally
            {
                if (temp.Length > 0 && Directory.Exists(temp)) Directory.Delete(temp, true);
            }
            File.Delete(Path.Combine(Root, hex + ".lock"));
        }
        return dirs;
    }

    /// <summary>Removes snapshots no image in the store and no container in <paramref name="inUse"/> needs.</summary>
    public int Prune(IEnumerable<ImageLayers> images, ISet<string> inUse)
    {
        if (!Directory.Exists(Root)) return 0;
        var keep = new HashSet<string>(inUse);
        foreach (ImageLayers image in images)
            foreach (Digest chain in image.ChainIds) keep.Add(chain.Hex);
        int removed = 0;
        foreach (string dir in Directory.GetDirectories(Root))
        {
            string name = Path.GetFileName(dir);
            if (keep.Contains(name)) continue;
            if (name.StartsWith('.'))
            {
                // An unpack's temporary directory: its owner may still be at work.
                string[] parts = name.Split('.');
                if (parts.Length > 2 && int.TryParse(parts[2], out int pid) && Directory.Exists($"/proc/{pid}")) continue;
            }
            Directory.Delete(dir, true);
            removed++;
        }
        return removed;
    }
}
