using System;
using System.Collections.Generic;

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
        foreach (string line in Edge.Linux.SysFile.ReadLines(mountinfo))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            if (!line.Contains(" - cgroup", StringComparison.Ordinal)) continue; // most mounts: not split at all
            string[] fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (dash < 0 || dash + 3 >= fields.Length) continue;
            string type = fields[dash + 1];
            if (type != "cgroup" && type != "cgroup2") continue;
            string mountPoint = Mounts.MountInfo.Unescape(fields[4]);
            string root = Mounts.MountInfo.Unescape(fields[3]);
            string controllers = "";
            if (type == "cgroup")
            {
                var names = new List<string>();
                foreach (string option in fields[dash + 3].Split(','))
                    if (option is not ("rw" or "ro") && !option.StartsWith("clone_children", StringComparison.Ordinal)
                        && !option.StartsWith("release_agent", StringComparison.Ordinal) && option != "noprefix" && option != "xattr")
                        names.Add(option);
                controllers = string.Join(',', names);
            }
            if (!seen.Add(type + ":" + controllers)) continue; // the same hierarchy mounted twice
            found.Add(new CgroupHierarchy(mountPoint, root, controllers, type == "cgroup2"));
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
