using System;
using System.Collections.Generic;
using Edge.Linux;

namespace Edge.Runtime.Cgroups;

/// <summary>One mounted cgroup hierarchy: v1 (with its controllers, e.g. "cpu,cpuacct") or the v2 unified one.</summary>
public sealed record CgroupHierarchy(string MountPoint, string Root, string Controllers, bool IsV2)
{
    /// <summary>
    /// The hierarchies mounted in this mount namespace (/proc/self/mountinfo). A pure v2 host has one
    /// cgroup2 entry at /sys/fs/cgroup; a hybrid host has v1 controllers plus cgroup2 elsewhere.
    /// </summary>
    public static List<CgroupHierarchy> Discover(string mountinfo = "/proc/self/mountinfo")
    {
        var found = new List<CgroupHierarchy>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ReadOnlySpan<char> text = SysFile.ReadText(mountinfo);
        foreach (Range range in text.Split('\n'))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            ReadOnlySpan<char> line = text[range];
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            // After the separator: the type, the source and the super options; strings only for cgroup mounts.
            ReadOnlySpan<char> after = line[(dash + 3)..];
            if (!SysFile.TryField(after, 0, out ReadOnlySpan<char> type) || !SysFile.TryField(after, 2, out ReadOnlySpan<char> superOptions)) continue;
            bool v2 = type.SequenceEqual("cgroup2");
            if (!v2 && !type.SequenceEqual("cgroup")) continue;
            if (!SysFile.TryField(line, 3, out ReadOnlySpan<char> root) || !SysFile.TryField(line, 4, out ReadOnlySpan<char> mountPoint)) continue;
            string controllers = "";
            if (!v2)
            {
                var names = new List<string>();
                foreach (Range option in superOptions.Split(','))
                {
                    ReadOnlySpan<char> name = superOptions[option];
                    if (name is not ("rw" or "ro" or "noprefix" or "xattr") && !name.StartsWith("clone_children", StringComparison.Ordinal)
                        && !name.StartsWith("release_agent", StringComparison.Ordinal))
                        names.Add(name.ToString());
                }
                controllers = string.Join(',', names);
            }
            if (!seen.Add((v2 ? "cgroup2:" : "cgroup:") + controllers)) continue; // the same hierarchy mounted twice
            found.Add(new CgroupHierarchy(Mounts.MountInfo.Unescape(mountPoint.ToString()), Mounts.MountInfo.Unescape(root.ToString()), controllers, v2));
        }
        return found;
    }

    public bool Has(string controller)
    {
        foreach (string name in Controllers.Split(','))
            if (name == controller) return true;
        return false;
    }
}
