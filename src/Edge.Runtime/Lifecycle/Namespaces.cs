using System.Collections.Generic;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Init;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// linux.namespaces decoded, for create and exec alike: which namespaces the container's init makes (clone
/// flags, and the ones the init makes itself: cgroup after placement, time after its offsets), and which it
/// joins, by path, in the order setns needs (the user namespace first; the pid namespace apart, since it is
/// entered through the clone, not setns). Pure: opening the paths is <see cref="OpenJoined"/>'s job.
/// </summary>
public sealed class Namespaces
{
    public ulong CloneFlags { get; private init; }
    public bool NewUser { get; private init; }
    public bool NewCgroup { get; private init; }
    public bool NewUts { get; private init; }
    public bool NewTime { get; private init; }
    public bool NewNetwork { get; private init; }
    public bool Mount { get; private init; }
    /// <summary>Namespaces to join with setns, in order, by path.</summary>
    public IReadOnlyList<(string Type, string Path)> Join { get; private init; } = new List<(string, string)>();
    /// <summary>The pid namespace to enter through the clone, or null.</summary>
    public string? JoinPid { get; private init; }

    /// <summary>The spec's namespaces for a new container; a bad type or a user namespace without maps is a one-line error.</summary>
    public static Namespaces ForCreate(LinuxSpec linux)
    {
        ulong flags = 0;
        var join = new List<(string, string)>();
        string? joinPid = null;
        bool newUser = false, newCgroup = false, newUts = false, newTime = false, newNetwork = false, mount = false;
        foreach (Namespace ns in linux.Namespaces ?? new List<Namespace>())
        {
            ulong flag = InitPlanBuilder.NamespaceFlag(ns.Type);
            if (flag == 0) throw new RuntimeException($"config.json: $.linux.namespaces: unknown namespace type \"{ns.Type}\"");
            if (ns.Type == "mount") mount = true;
            if (!string.IsNullOrEmpty(ns.Path))
            {
                if (ns.Type == "pid") joinPid = ns.Path;
                else if (ns.Type == "user") join.Insert(0, (ns.Type, ns.Path));
                else join.Add((ns.Type, ns.Path));
                continue;
            }
            switch (ns.Type)
            {
                case "cgroup": newCgroup = true; break;
                case "time": newTime = true; break; // unshared by the init, which must set the offsets first
                case "user": newUser = true; flags |= flag; break;
                case "uts": newUts = true; flags |= flag; break;
                case "network": newNetwork = true; flags |= flag; break;
                default: flags |= flag; break;
            }
        }
        if (newUser && (linux.UidMappings is not { Count: > 0 } || linux.GidMappings is not { Count: > 0 }))
            throw new RuntimeException("config.json: $.linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
        return new Namespaces
        {
            CloneFlags = flags, NewUser = newUser, NewCgroup = newCgroup, NewUts = newUts, NewTime = newTime,
            NewNetwork = newNetwork, Mount = mount, Join = join, JoinPid = joinPid,
        };
    }

    /// <summary>/proc's name for each namespace exec joins, in setns order (user first, mount last).</summary>
    private static readonly (string Spec, string Proc)[] ExecOrder =
    {
        ("user", "user"), ("ipc", "ipc"), ("uts", "uts"), ("network", "net"), ("cgroup", "cgroup"), ("mount", "mnt"),
    };

    /// <summary>For exec: every namespace the container was configured with, joined through its init (PID).</summary>
    public static Namespaces ForExec(LinuxSpec? linux, int pid)
    {
        var configured = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (Namespace ns in linux?.Namespaces ?? new List<Namespace>()) configured.Add(ns.Type);
        var join = new List<(string, string)>();
        foreach ((string type, string proc) in ExecOrder)
            if (configured.Contains(type)) join.Add((type, $"/proc/{pid}/ns/{proc}"));
        return new Namespaces
        {
            Mount = configured.Contains("mount"),
            Join = join,
            JoinPid = configured.Contains("pid") ? $"/proc/{pid}/ns/pid" : null,
        };
    }

    /// <summary>Opens the namespaces to join (fds added to <paramref name="opened"/>): setns's fds in order, and the pid namespace's or -1.</summary>
    public (List<(string Type, int Fd)> Join, int Pid) OpenJoined(List<int> opened)
    {
        var fds = new List<(string, int)>();
        foreach ((string type, string path) in Join) fds.Add((type, Open(type, path, opened)));
        return (fds, JoinPid is null ? -1 : Open("pid", JoinPid, opened));
    }

    private static int Open(string type, string path, List<int> opened)
    {
        int fd = Libc.Open(path, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
        if (fd < 0) throw new SystemCallException($"open {type} namespace", path, ErrnoText.Last);
        opened.Add(fd);
        return fd;
    }
}
