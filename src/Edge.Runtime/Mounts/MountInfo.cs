using System;
using System.Globalization;
using System.IO;
using Edge.Linux;

namespace Edge.Runtime.Mounts;

/// <summary>Reading /proc/self/mountinfo: which mount holds a directory, and the fields' octal escapes.</summary>
public static class MountInfo
{
    /// <summary>
    /// The mount point of the mount that holds DIRECTORY, and whether that mount is shared, found by mount id
    /// (/proc/self/fdinfo's mnt_id), so symlinks and bind mounts in the path do not matter. Null when the
    /// directory or the tables cannot be read.
    /// </summary>
    public static (string MountPoint, bool Shared)? Holding(string directory)
    {
        int fd = Libc.Open(directory, OpenFlags.Path | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (fd < 0) return null;
        try
        {
            string? id = null;
            foreach (string line in SysFile.ReadLines($"/proc/self/fdinfo/{fd.ToString(CultureInfo.InvariantCulture)}"))
                if (line.StartsWith("mnt_id:", StringComparison.Ordinal)) id = line[7..].Trim();
            if (id is null) return null;
            // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
            foreach (string line in SysFile.ReadLines("/proc/self/mountinfo"))
            {
                string[] fields = line.Split(' ');
                if (fields.Length < 7 || fields[0] != id) continue;
                bool shared = false;
                for (int i = 6; i < fields.Length && fields[i] != "-"; i++)
                    shared |= fields[i].StartsWith("shared:", StringComparison.Ordinal);
                return (Unescape(fields[4]), shared);
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal.</summary>
    public static string Unescape(string field) =>
        field.Contains('\\') ? field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\") : field;
}
