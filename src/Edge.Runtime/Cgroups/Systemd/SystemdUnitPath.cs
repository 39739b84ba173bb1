using System;
using System.Text;

namespace Edge.Runtime.Cgroups.Systemd;

/// <summary>
/// A --systemd-cgroup cgroupsPath, "slice:prefix:name", as runc reads it: the container gets the transient
/// scope PREFIX-NAME.scope in SLICE (system.slice when empty), or NAME itself when NAME is a slice. Its
/// cgroup is the slice's path (a-b.slice is /a.slice/a-b.slice) followed by the unit.
/// </summary>
public sealed record SystemdUnitPath(string Slice, string Unit)
{
    /// <summary>The prefix of the scope edge gives a container whose config names no cgroupsPath.</summary>
    public const string DefaultPrefix = "edge";

    public bool IsSlice => Unit.EndsWith(".slice", StringComparison.Ordinal);

    /// <summary>The unit's cgroup, relative to the hierarchy's root ("/system.slice/edge-c1.scope").</summary>
    public string CgroupPath => IsSlice ? ExpandSlice(Unit) : (ExpandSlice(Slice) == "/" ? "" : ExpandSlice(Slice)) + "/" + Unit;

    public static SystemdUnitPath Parse(string? cgroupsPath, string id)
    {
        string path = string.IsNullOrEmpty(cgroupsPath) ? $":{DefaultPrefix}:{id}" : cgroupsPath;
        string[] parts = path.Split(':');
        if (parts.Length != 3)
            throw new RuntimeException($"cgroupsPath \"{path}\": --systemd-cgroup expects \"slice:prefix:name\"");
        string slice = parts[0].Length == 0 ? "system.slice" : parts[0];
        string prefix = parts[1], name = parts[2];
        if (name.Length == 0) throw new RuntimeException($"cgroupsPath \"{path}\": the name (after the second colon) is empty");
        ExpandSlice(slice); // validates it
        string unit = name.EndsWith(".slice", StringComparison.Ordinal) ? name : (prefix.Length == 0 ? name : prefix + "-" + name) + ".scope";
        if (!IsUnitName(unit)) throw new RuntimeException($"cgroupsPath \"{path}\": \"{unit}\" is not a valid systemd unit name");
        if (unit.EndsWith(".slice", StringComparison.Ordinal)) ExpandSlice(unit);
        return new SystemdUnitPath(slice, unit);
    }

    /// <summary>
    /// systemd's nesting of slices by their dashes: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice, "-.slice"
    /// the root. Anything else (no .slice, a slash, an empty component) is refused, as runc refuses it.
    /// </summary>
    public static string ExpandSlice(string slice)
    {
        if (!slice.EndsWith(".slice", StringComparison.Ordinal) || slice.Contains('/') || !IsUnitName(slice))
            throw new RuntimeException($"\"{slice}\" is not a systemd slice name");
        string name = slice[..^".slice".Length];
        if (name == "-") return "/";
        var path = new StringBuilder();
        var prefix = new StringBuilder();
        foreach (string component in name.Split('-'))
        {
            if (component.Length == 0) throw new RuntimeException($"\"{slice}\" is not a systemd slice name");
            path.Append('/').Append(prefix).Append(component).Append(".slice");
            prefix.Append(component).Append('-');
        }
        return path.ToString();
    }

    /// <summary>The characters systemd allows in a unit name (no slash, so never a path of its own).</summary>
    private static bool IsUnitName(string unit)
    {
        if (unit.Length is 0 or > 255 || unit[0] == '.') return false;
        foreach (char c in unit)
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_' or '.' or '\\' or '@')) return false;
        return true;
    }
}
