using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Edge.Image;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;

namespace Edge.Containers;

/// <summary>
/// The image config's User (conversion.md): "", "uid", "uid:gid", "name", "name:group", "uid:group",
/// resolved against the rootfs's /etc/passwd and /etc/group (read inside the rootfs, never following a link
/// out of it); a named user also gets the groups that list it as a member.
/// </summary>
public static class UserResolver
{
    public static User Resolve(string text, string rootfs)
    {
        if (text.Length == 0) return new User { Uid = 0, Gid = 0 };
        int colon = text.IndexOf(':');
        string userPart = colon < 0 ? text : text[..colon];
        string? groupPart = colon < 0 ? null : text[(colon + 1)..];

        List<string[]> passwd = ReadTable(rootfs, "etc/passwd");
        uint uid, gid = 0;
        string? name = null;
        if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            string[]? entry = passwd.Find(p => p.Length > 3 && p[2] == userPart);
            if (entry is not null) { name = entry[0]; gid = ParseId(entry[3]); }
        }
        else
        {
            string[] entry = passwd.Find(p => p.Length > 3 && p[0] == userPart)
                ?? throw new ImageException($"user \"{userPart}\" is not in the image's /etc/passwd");
            name = entry[0];
            uid = ParseId(entry[2]);
            gid = ParseId(entry[3]);
        }

        List<string[]> groups = ReadTable(rootfs, "etc/group");
        if (groupPart is not null)
        {
            if (!uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                string[] entry = groups.Find(g => g.Length > 2 && g[0] == groupPart)
                    ?? throw new ImageException($"group \"{groupPart}\" is not in the image's /etc/group");
                gid = ParseId(entry[2]);
            }
        }

        var additional = new List<uint>();
        if (name is not null && groupPart is null)
            foreach (string[] g in groups)
                if (g.Length > 3 && Array.IndexOf(g[3].Split(','), name) >= 0 && ParseId(g[2]) is uint extra && extra != gid && !additional.Contains(extra))
                    additional.Add(extra);
        return new User { Uid = uid, Gid = gid, AdditionalGids = additional.Count > 0 ? additional : null };
    }

    private static uint ParseId(string text) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : 0;

    /// <summary>colon-separated lines of a file inside the rootfs; none if it does not exist.</summary>
    private static unsafe List<string[]> ReadTable(string rootfs, string relative)
    {
        var rows = new List<string[]>();
        int root = Libc.Open(rootfs, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (root < 0) throw new SystemCallException("open", rootfs, ErrnoText.Last);
        int fd;
        try
        {
            byte[] path = System.Text.Encoding.UTF8.GetBytes(relative + "\0");
            fixed (byte* p = path) fd = InRoot.Open(root, p, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        }
        finally
        {
            Libc.Close(root);
        }
        if (fd < 0) return rows;
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
            if (line.Length > 0 && line[0] != '#') rows.Add(line.Split(':'));
        return rows;
    }
}
