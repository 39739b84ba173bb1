using System.IO;
using System.Linq;

namespace Edge.Tests.Support;

/// <summary>Clean-up of cgroups that tools under test leave behind (containerd's namespace, podman's parent).</summary>
public static class TestCgroups
{
    /// <summary>Every cgroup directory named NAME in any hierarchy, with its children, deepest first; busy ones stay.</summary>
    public static void RemoveEverywhere(string name)
    {
        foreach (string hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
            foreach (string top in Directory.EnumerateDirectories(hierarchy, name, SearchOption.AllDirectories).ToList())
                foreach (string dir in Directory.GetDirectories(top, "*", SearchOption.AllDirectories).Append(top).OrderByDescending(d => d.Length))
                    try { Directory.Delete(dir); } catch (IOException) { }
    }
}
