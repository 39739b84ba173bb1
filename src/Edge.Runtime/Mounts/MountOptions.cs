using System;
using System.Collections.Generic;
using Edge.Linux;

namespace Edge.Runtime.Mounts;

/// <summary>
/// A mount's "options" translated into mount(2) flags, propagation flags and file-system data; runc's
/// recursive options ("rro", "rnosuid", ...) into mount_setattr(2) attributes to set and clear on the whole
/// tree; "tmpcopyup" (a tmpfs gets a copy of what it covers).
/// </summary>
public readonly record struct ParsedMountOptions(ulong Flags, ulong Propagation, string? Data, bool Bind, bool Recursive, bool ChangesBindFlags,
    ulong AttributesSet = 0, ulong AttributesCleared = 0, bool CopyUp = false);

public static class MountOptions
{
    // option -> (set?, flag)
    private static readonly Dictionary<string, (bool Set, ulong Flag)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["ro"] = (true, MountFlags.ReadOnly), ["rw"] = (false, MountFlags.ReadOnly),
        ["nosuid"] = (true, MountFlags.NoSuid), ["suid"] = (false, MountFlags.NoSuid),
        ["nodev"] = (true, MountFlags.NoDev), ["dev"] = (false, MountFlags.NoDev),
        ["noexec"] = (true, MountFlags.NoExec), ["exec"] = (false, MountFlags.NoExec),
        ["sync"] = (true, MountFlags.Synchronous), ["async"] = (false, MountFlags.Synchronous),
        ["dirsync"] = (true, MountFlags.DirSync),
        ["remount"] = (true, MountFlags.Remount),
        ["mand"] = (true, MountFlags.Mandlock), ["nomand"] = (false, MountFlags.Mandlock),
        ["noatime"] = (true, MountFlags.NoAtime), ["atime"] = (false, MountFlags.NoAtime),
        ["nodiratime"] = (true, MountFlags.NoDirAtime), ["diratime"] = (false, MountFlags.NoDirAtime),
        ["relatime"] = (true, MountFlags.RelAtime), ["norelatime"] = (false, MountFlags.RelAtime),
        ["strictatime"] = (true, MountFlags.StrictAtime), ["nostrictatime"] = (false, MountFlags.StrictAtime),
        ["nosymfollow"] = (true, MountFlags.NoSymFollow), ["symfollow"] = (false, MountFlags.NoSymFollow),
        ["lazytime"] = (true, MountFlags.LazyTime), ["nolazytime"] = (false, MountFlags.LazyTime),
        ["silent"] = (true, MountFlags.Silent), ["loud"] = (false, MountFlags.Silent),
        ["iversion"] = (true, MountFlags.IVersion), ["noiversion"] = (false, MountFlags.IVersion),
        ["acl"] = (true, MountFlags.PosixAcl), ["noacl"] = (false, MountFlags.PosixAcl),
    };

    // recursive option -> (attributes to set, attributes to clear), as runc maps them
    private static readonly Dictionary<string, (ulong Set, ulong Clear)> RecursiveOptions = new(StringComparer.Ordinal)
    {
        ["rro"] = (MountAttributes.ReadOnly, 0), ["rrw"] = (0, MountAttributes.ReadOnly),
        ["rnosuid"] = (MountAttributes.NoSuid, 0), ["rsuid"] = (0, MountAttributes.NoSuid),
        ["rnodev"] = (MountAttributes.NoDev, 0), ["rdev"] = (0, MountAttributes.NoDev),
        ["rnoexec"] = (MountAttributes.NoExec, 0), ["rexec"] = (0, MountAttributes.NoExec),
        ["rnodiratime"] = (MountAttributes.NoDirAtime, 0), ["rdiratime"] = (0, MountAttributes.NoDirAtime),
        ["rrelatime"] = (MountAttributes.RelAtime, MountAttributes.AtimeMask), ["rnorelatime"] = (MountAttributes.StrictAtime, MountAttributes.AtimeMask),
        ["rnoatime"] = (MountAttributes.NoAtime, MountAttributes.AtimeMask), ["ratime"] = (MountAttributes.RelAtime, MountAttributes.AtimeMask),
        ["rstrictatime"] = (MountAttributes.StrictAtime, MountAttributes.AtimeMask), ["rnostrictatime"] = (MountAttributes.RelAtime, MountAttributes.AtimeMask),
        ["rnosymfollow"] = (MountAttributes.NoSymFollow, 0), ["rsymfollow"] = (0, MountAttributes.NoSymFollow),
    };

    /// <summary>Every option <see cref="Parse"/> knows (the rest go to the file system as data), for `features`.</summary>
    public static IEnumerable<string> Known()
    {
        foreach (string name in FlagOptions.Keys) yield return name;
        foreach (string name in PropagationOptions.Keys) yield return name;
        foreach (string name in RecursiveOptions.Keys) yield return name;
        foreach (string name in new[] { "bind", "rbind", "defaults", "tmpcopyup", "idmap", "ridmap" }) yield return name;
    }

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = MountFlags.Private, ["rprivate"] = MountFlags.Private | MountFlags.Rec,
        ["shared"] = MountFlags.Shared, ["rshared"] = MountFlags.Shared | MountFlags.Rec,
        ["slave"] = MountFlags.Slave, ["rslave"] = MountFlags.Slave | MountFlags.Rec,
        ["unbindable"] = MountFlags.Unbindable, ["runbindable"] = MountFlags.Unbindable | MountFlags.Rec,
    };

    public static ParsedMountOptions Parse(string? type, IReadOnlyList<string>? options)
    {
        ulong flags = 0, propagation = 0, set = 0, clear = 0;
        bool bind = type == "bind", recursive = false, copyUp = false;
        var data = new List<string>();
        if (options is not null)
        {
            foreach (string option in options)
            {
                if (option is "bind" or "rbind")
                {
                    bind = true;
                    recursive |= option == "rbind";
                }
                else if (FlagOptions.TryGetValue(option, out var f))
                {
                    flags = f.Set ? flags | f.Flag : flags & ~f.Flag;
                }
                else if (PropagationOptions.TryGetValue(option, out ulong p))
                {
                    propagation |= p;
                }
                else if (RecursiveOptions.TryGetValue(option, out var r))
                {
                    // a later option wins over an earlier one, as for the plain flags
                    set = (set & ~r.Clear & ~r.Set) | r.Set;
                    clear = (clear & ~r.Set) | r.Clear;
                }
                else if (option == "tmpcopyup")
                {
                    copyUp = true;
                }
                else if (option is "defaults" or "")
                {
                }
                else
                {
                    data.Add(option);
                }
            }
        }
        if (bind) flags |= MountFlags.Bind | (recursive ? MountFlags.Rec : 0);
        // For a bind mount, any flag beyond bind/rec needs a second, remounting call.
        bool changes = bind && (flags & ~(MountFlags.Bind | MountFlags.Rec)) != 0;
        return new ParsedMountOptions(flags, propagation, data.Count == 0 ? null : string.Join(',', data), bind, recursive, changes, set, clear, copyUp);
    }

    /// <summary>rootfsPropagation: "shared", "slave", "private", "unbindable", applied recursively.</summary>
    public static ulong RootPropagation(string? value) => value switch
    {
        null or "" => MountFlags.Slave | MountFlags.Rec,
        "shared" or "rshared" => MountFlags.Shared | MountFlags.Rec,
        "slave" or "rslave" => MountFlags.Slave | MountFlags.Rec,
        "private" or "rprivate" => MountFlags.Private | MountFlags.Rec,
        "unbindable" or "runbindable" => MountFlags.Unbindable | MountFlags.Rec,
        _ => throw new RuntimeException($"config.json: $.linux.rootfsPropagation: unknown propagation \"{value}\""),
    };
}
