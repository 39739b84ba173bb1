using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Image;
using Edge.Image.Store;
using Edge.Layers;
using Edge.Layers.Snapshots;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;

namespace Edge.Containers;

/// <summary>
/// The bundle of a container `edge run IMAGE` starts: STORE/containers/ID/ with config.json, rootfs (an
/// overlayfs of the image's layer snapshots with this container's upper and work directories, or a
/// flattened copy where overlayfs cannot be mounted) and "layers", the ChainIDs it uses (so prune keeps them).
/// </summary>
public static class ImageContainer
{
    public static string ContainersRoot(ContentStore store) => Path.Combine(store.Root, "containers");

    public static string DirectoryOf(ContentStore store, string id) => Path.Combine(ContainersRoot(store), id);

    /// <summary>Says which `edge run` made the directory: a run removes only its own container, never a successor's.</summary>
    private const string InstanceFile = "instance";

    /// <summary>Present when the run was --rm: its removal was asked for, so a leftover may be cleaned (edge's NameReuse).</summary>
    private const string RemoveOnExitFile = "remove-on-exit";

    /// <summary>
    /// A container directory made by one `edge run`: its bundle and the runtime config written there (handed
    /// to the executor as it is, not read back), the token of this creation (for
    /// <see cref="Remove(ContentStore, string, string?)"/>), and the lock on the directory that says an edge
    /// owns it, held until disposed (the kernel drops it when that edge dies).
    /// </summary>
    public sealed record Claim(string Bundle, Spec Config, string Instance, FileLock Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    /// <summary>
    /// Makes the container's directory (the name is taken exclusively by mkdir), locks it at once, then makes
    /// the bundle: a leftover's clean-up never takes a directory whose bundle is still being made.
    /// </summary>
    public static Claim Create(ContentStore store, ImageLayers image, string id, RunOptions options, Action<string>? warn, bool removeOnExit)
    {
        string dir = DirectoryOf(store, id);
        try
        {
            store.Initialise();
            PrivateDirectory.Ensure(ContainersRoot(store));
            if (Libc.Mkdir(dir, 0x1C0) != 0)
            {
                int errno = ErrnoText.Last;
                if (errno == (int)Errno.EEXIST) throw new ImageException($"container name \"{id}\" is already in use (edge rm {id})");
                throw new SystemCallException("mkdir", dir, errno);
            }
        }
        catch (IOException ex)
        {
            throw new ImageException($"{dir}: {ErrorText.Describe(ex)}", ex);
        }
        FileLock owner = FileLock.OnDirectory(dir);
        try
        {
            string instance = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
            File.WriteAllText(Path.Combine(dir, InstanceFile), instance);
            if (removeOnExit) File.WriteAllText(Path.Combine(dir, RemoveOnExitFile), "");
            string rootfs = Path.Combine(dir, "rootfs");
            Directory.CreateDirectory(rootfs);
            List<string> lowers = new SnapshotStore(store).Prepare(image, warn);
            File.WriteAllLines(Path.Combine(dir, "layers"), image.ChainIds.Select(c => c.ToString()));
            if (!MountOverlay(dir, rootfs, lowers, warn))
                Unpacker.Flatten(store, image, rootfs, warn);
            string hostname = options.Hostname ?? (id.Length > 12 ? id[..12] : id);
            Spec spec = SpecGenerator.Generate(image.Config, rootfs, hostname, options);
            AtomicFile.Write(Path.Combine(dir, "config.json"), OciJson.SpecToIndentedUtf8(spec), durable: false);
            return new Claim(dir, spec, instance, owner);
        }
        catch
        {
            Remove(store, id);
            owner.Dispose();
            throw;
        }
    }

    /// <summary>True while the directory under the name is still the one <paramref name="instance"/> made.</summary>
    public static bool IsInstance(ContentStore store, string id, string instance)
        => SysFile.TryReadText(Path.Combine(DirectoryOf(store, id), InstanceFile), out string current) && current == instance;

    /// <summary>True when the container was run with --rm.</summary>
    public static bool IsRemoveOnExit(ContentStore store, string id) => File.Exists(Path.Combine(DirectoryOf(store, id), RemoveOnExitFile));

    /// <summary>Unmounts the rootfs (if mounted) and deletes the container's directory.</summary>
    public static bool Remove(ContentStore store, string id) => Remove(store, id, instance: null);

    /// <summary>
    /// As <see cref="Remove(ContentStore, string)"/>, but when <paramref name="instance"/> is given only if the
    /// directory is still that creation's: after `run --replace` took the name, the replaced run's clean-up
    /// must leave the new container alone.
    /// </summary>
    public static bool Remove(ContentStore store, string id, string? instance)
    {
        string dir = DirectoryOf(store, id);
        if (!Directory.Exists(dir)) return false;
        if (instance is not null && !IsInstance(store, id, instance)) return false;
        string rootfs = Path.Combine(dir, "rootfs");
        Libc.Umount2(rootfs, Libc.MNT_DETACH);
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by someone else meanwhile (a --replace and the replaced run's own clean-up).
        }
        return true;
    }

    /// <summary>ChainID hexes that containers' rootfs use.</summary>
    public static HashSet<string> LayersInUse(ContentStore store)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(ContainersRoot(store))) return used;
        foreach (string dir in Directory.GetDirectories(ContainersRoot(store)))
        {
            string layers = Path.Combine(dir, "layers");
            if (!File.Exists(layers)) continue;
            foreach (string chain in File.ReadAllLines(layers))
                if (Digest.TryParse(chain, out Digest d, out _)) used.Add(d.Hex);
        }
        return used;
    }

    private static bool MountOverlay(string dir, string rootfs, List<string> lowers, Action<string>? warn)
    {
        string upper = Path.Combine(dir, "upper"), work = Path.Combine(dir, "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        var top = new List<string>(lowers);
        top.Reverse();
        if (top.Count == 0)
        {
            // An image without layers: an empty lower directory keeps overlayfs happy.
            string empty = Path.Combine(dir, "empty");
            Directory.CreateDirectory(empty);
            top.Add(empty);
        }
        string data = $"lowerdir={string.Join(':', top)},upperdir={upper},workdir={work}";
        if (Libc.Mount("overlay", rootfs, "overlay", 0, data) == 0) return true;
        int errno = ErrnoText.Last;
        warn?.Invoke($"cannot mount overlayfs ({ErrnoText.Describe(errno)}): unpacking a flattened copy instead");
        Directory.Delete(upper);
        Directory.Delete(work, true);
        return false;
    }
}
