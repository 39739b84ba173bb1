using System;
using System.Collections.Generic;
using System.IO;

namespace Edge.Runtime.Cgroups;

/// <summary>
/// `exec --cgroup`, as runc takes it: "path" puts the process in that sub-cgroup of the container's cgroup in
/// every hierarchy, "cpu,memory:path" only in those v1 controllers' hierarchies (which wins over a plain path).
/// The sub-cgroup must exist; on cgroup v2 there is one hierarchy and no controller prefix.
/// </summary>
public static class SubCgroupPaths
{
    public static List<string> Resolve(IReadOnlyList<string> containerDirs, bool unified, IReadOnlyList<string> specs)
    {
        var result = new List<string>(containerDirs);
        if (specs.Count == 0) return result;
        string? all = null;
        var byController = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string spec in specs)
        {
            int colon = spec.IndexOf(':');
            string path = Check(colon < 0 ? spec : spec[(colon + 1)..], spec);
            if (colon < 0)
            {
                if (all is not null) throw new RuntimeException($"exec --cgroup \"{spec}\": only one path without controllers may be given");
                all = path;
                continue;
            }
            if (unified) throw new RuntimeException($"exec --cgroup \"{spec}\": controllers cannot be named on cgroup v2");
            foreach (string controller in spec[..colon].Split(',', StringSplitOptions.RemoveEmptyEntries)) byController[controller] = path;
        }
        List<CgroupHierarchy> hierarchies = CgroupHierarchy.Discover();
        for (int i = 0; i < result.Count; i++)
        {
            string dir = result[i];
            string? sub = all;
            CgroupHierarchy? h = hierarchies.Find(x => dir.StartsWith(x.MountPoint + "/", StringComparison.Ordinal));
            if (h is not null && !h.IsV2)
                foreach (string controller in h.Controllers.Split(','))
                    if (byController.TryGetValue(controller.StartsWith("name=", StringComparison.Ordinal) ? controller[5..] : controller, out string? named)) sub = named;
            if (sub is null) continue;
            string target = Path.Combine(dir, sub);
            if (!Directory.Exists(target)) throw new RuntimeException($"exec --cgroup: sub-cgroup \"{sub}\" does not exist ({target})");
            result[i] = target;
        }
        return result;
    }

    /// <summary>A relative path that stays below the container's cgroup.</summary>
    private static string Check(string path, string spec)
    {
        if (path.Length == 0 || path.StartsWith('/') || Array.IndexOf(path.Split('/'), "..") >= 0)
            throw new RuntimeException($"exec --cgroup \"{spec}\": the path must be relative to the container's cgroup, without \"..\"");
        return path;
    }
}
