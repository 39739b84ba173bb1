using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Edge.Linux;

namespace Edge.Runtime.Cgroups;

/// <summary>
/// A container's cgroup: one directory per mounted hierarchy on cgroup v1 (plus the unified one on hybrid
/// hosts, as runc does), or a single directory on cgroup v2.
/// </summary>
public sealed class Cgroup
{
    public Cgroup(IReadOnlyList<string> directories, bool unified, string? cpusetDirectory = null, string? unifiedMount = null)
    {
        Directories = directories;
        Unified = unified;
        _cpusetDirectory = cpusetDirectory;
        _unifiedMount = unifiedMount;
    }

    /// <summary>Where the v2 hierarchy is mounted, when this cgroup is to be created on a v2 host.</summary>
    private readonly string? _unifiedMount;

    /// <summary>The v1 cpuset directory, which needs its cpus and mems filled in when created.</summary>
    private readonly string? _cpusetDirectory;

    /// <summary>Absolute directories, one per hierarchy.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>True on a pure cgroup v2 host.</summary>
    public bool Unified { get; }

    /// <summary>
    /// Resolves linux.cgroupsPath (docs/confinement.md, "Where a container's cgroup is"). Absolute paths are
    /// taken from each hierarchy's root. Relative ones (and the default, the container id) are placed
    /// beside edge, as runc does, with two rules that keep a container inside the systemd unit edge runs in:
    /// - v2: a cgroup with processes cannot have a child with controllers. When edge is alone in its own
    ///   cgroup (the main process of a unit), edge moves itself into a leaf, edge-supervisor, and the
    ///   container goes beside it, in the unit. When others are there too, the container goes under the
    ///   parent of edge's cgroup, as runc does.
    /// - v1: in a controller systemd does not manage for the unit (blkio, net_cls...) edge sits at the
    ///   root; the unit's path (from name=systemd) is used there instead, so no controller puts the
    ///   container outside the unit.
    /// </summary>
    public static Cgroup Resolve(string? cgroupsPath, string id, bool systemd, IReadOnlyList<CgroupHierarchy> hierarchies)
    {
        if (systemd) return ForUnit(Systemd.SystemdUnitPath.Parse(cgroupsPath, id), hierarchies);
        string path = string.IsNullOrEmpty(cgroupsPath) ? id : cgroupsPath;
        if (path.Contains(':') && !path.StartsWith('/'))
            throw new RuntimeException($"cgroupsPath \"{path}\" is a systemd slice:prefix:name path; pass --systemd-cgroup on a systemd host");
        return Place(path, hierarchies, OwnCgroups(), ProcessesOf);
    }

    /// <summary>The placement rules without the kernel: <paramref name="own"/> is /proc/self/cgroup's map, <paramref name="processes"/> reads a cgroup.procs.</summary>
    public static Cgroup Place(string path, IReadOnlyList<CgroupHierarchy> hierarchies, IReadOnlyDictionary<string, string> own, Func<string, IReadOnlyList<int>> processes)
    {
        bool unified = hierarchies.Count == 1 && hierarchies[0].IsV2;
        own.TryGetValue("name=systemd", out string? unit);
        var directories = new List<string>();
        string? cpuset = null;
        string? supervisor = null;
        foreach (CgroupHierarchy h in hierarchies)
        {
            string relative;
            if (path.StartsWith('/'))
            {
                relative = path;
            }
            else
            {
                own.TryGetValue(h.IsV2 ? "" : h.Controllers, out string? mine);
                mine = mine is null ? "/" : Clean(mine);
                if (!h.IsV2 && mine == "/" && unit is not null) mine = Clean(unit);
                if (unified && mine != "/")
                {
                    IReadOnlyList<int> inside = processes(InMount(h, mine));
                    if (inside.Count == 1 && inside[0] == Environment.ProcessId && Clean(mine + "/" + path) != Clean(mine + "/" + SupervisorLeaf))
                        supervisor = InMount(h, mine + "/" + SupervisorLeaf);
                    else if (inside.Count > 0)
                        mine = Clean(mine + "/..");
                }
                relative = mine + "/" + path;
            }
            directories.Add(InMount(h, Clean(relative)));
            if (!h.IsV2 && h.Has("cpuset")) cpuset = directories[^1];
        }
        return new Cgroup(directories, unified, cpuset, unified ? hierarchies[0].MountPoint : null) { SupervisorDirectory = supervisor };
    }

    /// <summary>
    /// --systemd-cgroup: the unit's cgroup in every hierarchy. systemd makes it when the unit starts, with the
    /// container's init in it (SystemdCgroup.Join); edge makes what systemd leaves (v1 controllers it does not manage).
    /// </summary>
    public static Cgroup ForUnit(Systemd.SystemdUnitPath unit, IReadOnlyList<CgroupHierarchy> hierarchies)
    {
        if (!Systemd.SystemdBus.IsBooted())
            throw new RuntimeException("--systemd-cgroup: systemd is not running on this host (PID 1 is not systemd); use cgroupfs paths");
        // The unit's path is absolute: Place takes it from each hierarchy's root, and reads nothing.
        Cgroup placed = Place(unit.CgroupPath, hierarchies, new Dictionary<string, string>(), _ => Array.Empty<int>());
        return new Cgroup(placed.Directories, placed.Unified, placed._cpusetDirectory, placed._unifiedMount) { SystemdUnit = unit.Unit, UnitPath = unit };
    }

    /// <summary>The systemd unit that owns this cgroup (--systemd-cgroup), or null.</summary>
    public string? SystemdUnit { get; init; }

    /// <summary>How the unit is to be made, when this cgroup is being created with --systemd-cgroup.</summary>
    public Systemd.SystemdUnitPath? UnitPath { get; private init; }

    /// <summary>Where edge moves itself on v2 when it was alone in its cgroup (Place).</summary>
    public const string SupervisorLeaf = "edge-supervisor";

    /// <summary>The leaf edge moves itself into before the container's cgroup is made, or null.</summary>
    public string? SupervisorDirectory { get; private init; }

    /// <summary>
    /// Paths in /proc/self/cgroup are relative to the hierarchy root, which is mounted at MountPoint only
    /// when this mount namespace sees the whole tree.
    /// </summary>
    private static string InMount(CgroupHierarchy h, string clean)
    {
        string inMount = h.Root == "/" ? clean : clean.StartsWith(h.Root, StringComparison.Ordinal) ? clean[h.Root.Length..] : clean;
        return h.MountPoint.TrimEnd('/') + (inMount.StartsWith('/') ? inMount : "/" + inMount);
    }

    private static IReadOnlyList<int> ProcessesOf(string directory) => ReadProcesses(directory) ?? new List<int>();

    /// <summary>The pids in DIRECTORY/cgroup.procs, or null when it cannot be read (one read, no stat first).</summary>
    private static List<int>? ReadProcesses(string directory)
    {
        if (!SysFile.TryReadText(Path.Combine(directory, "cgroup.procs"), out string procs)) return null;
        var pids = new List<int>();
        foreach (string line in procs.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, out int pid)) pids.Add(pid);
        return pids;
    }

    private static Dictionary<string, string> OwnCgroups()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in SysFile.ReadLines("/proc/self/cgroup"))
        {
            // hierarchy-id:controllers:path
            int first = line.IndexOf(':');
            int second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0) continue;
            map[line[(first + 1)..second]] = line[(second + 1)..];
        }
        return map;
    }

    /// <summary>An absolute path inside the hierarchy: ".." never leaves it (the project's one rule, PathClean).</summary>
    private static string Clean(string path) => PathClean.Relative(path) is var clean && clean == "." ? "/" : "/" + clean;

    public void Create()
    {
        if (SupervisorDirectory is not null)
        {
            // Out of the way first: while edge is in its cgroup, the kernel refuses it children with controllers.
            CreateDirectoryChain(SupervisorDirectory, cpuset: false);
            Write(Path.Combine(SupervisorDirectory, "cgroup.procs"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (string dir in Directories) CreateDirectoryChain(dir, dir == _cpusetDirectory);
        if (_unifiedMount is not null) DelegateControllers(_unifiedMount, Directories[0]);
    }

    /// <summary>
    /// On v2 a cgroup only has the controllers its parent lists in cgroup.subtree_control. As runc does, each
    /// level from the root down to the container's parent hands on every controller it has. A level that
    /// refuses one (a non-root cgroup with processes in it, a threaded cgroup) keeps the others; a limit
    /// that then has no file fails with an error naming the missing controller.
    /// </summary>
    private static void DelegateControllers(string mount, string leaf)
    {
        string relative = leaf.Length > mount.Length ? leaf[mount.Length..].Trim('/') : "";
        string[] parts = relative.Length == 0 ? Array.Empty<string>() : relative.Split('/');
        string dir = mount;
        for (int i = 0; i < parts.Length; i++)
        {
            string available = ReadOrEmpty(Path.Combine(dir, "cgroup.controllers"));
            string[] enabled = ReadOrEmpty(Path.Combine(dir, "cgroup.subtree_control")).Split(' ');
            var wanted = new List<string>();
            foreach (string controller in available.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (Array.IndexOf(enabled, controller) < 0) wanted.Add("+" + controller);
            if (wanted.Count > 0 && !TryWrite(Path.Combine(dir, "cgroup.subtree_control"), string.Join(' ', wanted)))
                foreach (string one in wanted) TryWrite(Path.Combine(dir, "cgroup.subtree_control"), one);
            dir = Path.Combine(dir, parts[i]);
        }
    }

    private static string ReadOrEmpty(string file)
    {
        try { return SysFile.ReadText(file).Trim(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static bool TryWrite(string file, string value)
    {
        try { SysFile.WriteText(file, value); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Creates DIR and its missing parents with mkdir(2) straight away (the common case is one level), so
    /// no stat precedes it. A new v1 cpuset cgroup starts with empty cpus and mems, which refuses every task
    /// (ENOSPC), so each new level copies its parent's.
    /// </summary>
    private static void CreateDirectoryChain(string dir, bool cpuset)
    {
        if (Libc.Mkdir(dir, 0x1ed /* 0755 */) != 0)
        {
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.EEXIST) return;
            if (errno != (int)Errno.ENOENT) throw new SystemCallException("mkdir", dir, errno);
            CreateDirectoryChain(Path.GetDirectoryName(dir) ?? "/", cpuset);
            if (Libc.Mkdir(dir, 0x1ed) != 0 && ErrnoText.Last != (int)Errno.EEXIST) throw new SystemCallException("mkdir", dir, ErrnoText.Last);
        }
        if (!cpuset) return;
        string parent = Path.GetDirectoryName(dir) ?? "/";
        foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            string mine = Path.Combine(dir, file);
            if (SysFile.ReadText(mine).Trim().Length == 0)
                SysFile.WriteText(mine, SysFile.ReadText(Path.Combine(parent, file)).Trim());
        }
    }

    public void AddProcess(int pid)
    {
        foreach (string dir in Directories)
            Write(Path.Combine(dir, "cgroup.procs"), pid.ToString());
    }

    /// <summary>The processes in the container's cgroup, from the first hierarchy that lists them.</summary>
    public List<int> Processes()
    {
        foreach (string dir in Directories)
            if (ReadProcesses(dir) is { } pids) return pids;
        return new List<int>();
    }

    private string? FreezerFile()
    {
        foreach (string dir in Directories)
        {
            if (File.Exists(Path.Combine(dir, "freezer.state"))) return Path.Combine(dir, "freezer.state");
            if (File.Exists(Path.Combine(dir, "cgroup.freeze"))) return Path.Combine(dir, "cgroup.freeze");
        }
        return null;
    }

    public bool IsFrozen()
    {
        string? file = FreezerFile();
        if (file is null) return false;
        if (file.EndsWith("freezer.state", StringComparison.Ordinal)) return SysFile.ReadText(file).Trim() == "FROZEN";
        return SysFile.ReadText(file).Trim() == "1";
    }

    /// <summary>Freezes or thaws every process, waiting (bounded) until the kernel reports it done.</summary>
    public void SetFrozen(bool frozen)
    {
        string file = FreezerFile() ?? throw new RuntimeException("cannot pause: no freezer cgroup (v1 freezer controller or v2 cgroup.freeze)");
        bool v1 = file.EndsWith("freezer.state", StringComparison.Ordinal);
        Write(file, v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0"));
        for (int i = 0; i < 1000; i++)
        {
            string state = v1 ? SysFile.ReadText(file).Trim() : EventsFrozen(file);
            if (v1 ? state == (frozen ? "FROZEN" : "THAWED") : state == (frozen ? "1" : "0")) return;
            if (v1 && frozen && state == "FREEZING" && i % 10 == 9) Write(file, "FROZEN");
            Thread.Sleep(1);
        }
        throw new RuntimeException($"timed out waiting for `{file}` to become {(frozen ? "frozen" : "thawed")}");
    }

    private static string EventsFrozen(string freezeFile)
    {
        foreach (string line in SysFile.ReadLines(Path.Combine(Path.GetDirectoryName(freezeFile)!, "cgroup.events")))
            if (line.StartsWith("frozen ", StringComparison.Ordinal)) return line[7..].Trim();
        return "";
    }

    /// <summary>Removes the directories (they must be empty of processes); missing ones are fine. A systemd unit is stopped first.</summary>
    public void Destroy()
    {
        if (SystemdUnit is not null)
        {
            // systemd out of reach (dbus stopped) must not make the container undeletable: its
            // directories go all the same, and systemd drops an empty scope by itself.
            try { Systemd.SystemdCgroup.Stop(SystemdUnit); }
            catch (RuntimeException) { }
        }
        foreach (string dir in Directories) RemoveTree(dir);
    }

    /// <summary>
    /// rmdir of DIR, tried first because it nearly always works. EBUSY means child cgroups (`exec --cgroup`
    /// sub-cgroups, or ones the container made), removed deepest first, or a last exiting task still being
    /// reaped, waited for (bounded).
    /// </summary>
    private static void RemoveTree(string dir)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (Libc.Rmdir(dir) == 0) return;
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.ENOENT) return;
            if (errno is not ((int)Errno.EBUSY or (int)Errno.ENOTEMPTY)) throw new IOException($"rmdir {dir}: {ErrnoText.Describe(errno)}");
            string[] children = Directory.GetDirectories(dir);
            if (children.Length > 0)
                foreach (string child in children) RemoveTree(child);
            else
                Thread.Sleep(5);
        }
        throw new IOException($"rmdir {dir}: {ErrnoText.Describe((int)Errno.EBUSY)}");
    }

    private static void Write(string file, string value)
    {
        try
        {
            SysFile.WriteText(file, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException($"write `{file}` ({value}): {ErrorText.Describe(ex)}", ex);
        }
    }
}
