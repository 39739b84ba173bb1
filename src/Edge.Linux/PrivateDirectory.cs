using System.IO;

namespace Edge.Linux;

/// <summary>
/// Directories only their owner may enter (0700), whatever the umask, and made so again if an older edge
/// left them open: the image store holds what images bring (setuid binaries, device nodes, other people's
/// image content), and no other local user may reach any of it (as containerd keeps its snapshots).
/// </summary>
public static class PrivateDirectory
{
    public const uint Mode = 0x1c0; // 0700

    /// <summary>Creates PATH (and missing parents, with the default mode) as 0700, or narrows an existing one to 0700.</summary>
    public static string Ensure(string path) => Make(path, narrowExisting: true);

    /// <summary>Creates PATH as 0700 if it is missing; an existing directory (a user's own) is left as it is.</summary>
    public static string Create(string path) => Make(path, narrowExisting: false);

    private static string Make(string path, bool narrowExisting)
    {
        if (Libc.Mkdir(path, Mode) == 0) return path;
        int errno = ErrnoText.Last;
        if (errno == (int)Errno.ENOENT && Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 1 } parent)
        {
            Parents(parent);
            if (Libc.Mkdir(path, Mode) == 0) return path;
            errno = ErrnoText.Last;
        }
        if (errno != (int)Errno.EEXIST) throw new SystemCallException("mkdir", path, errno);
        // Existing: a directory (or a symlink to one, which a user may keep the store behind) narrowed to 0700.
        if (!Directory.Exists(path)) throw new SystemCallException("mkdir", path, (int)Errno.ENOTDIR);
        if (narrowExisting && Libc.TryOwnerAndMode(path, out uint uid, out uint mode) && (mode & 0xF000) == 0x4000 && (mode & 0x3f) != 0
            && uid == Libc.GetEffectiveUid())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>mkdir -p with the default mode, failing with the errno of the component that failed.</summary>
    private static void Parents(string directory)
    {
        if (Libc.Mkdir(directory, 0x1ff) == 0) return;
        int errno = ErrnoText.Last;
        if (errno == (int)Errno.EEXIST) return;
        if (errno == (int)Errno.ENOENT && Path.GetDirectoryName(directory) is { Length: > 1 } up)
        {
            Parents(up);
            if (Libc.Mkdir(directory, 0x1ff) == 0 || ErrnoText.Last == (int)Errno.EEXIST) return;
            errno = ErrnoText.Last;
        }
        throw new SystemCallException("mkdir", directory, errno);
    }
}
