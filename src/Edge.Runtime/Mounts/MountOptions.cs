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
    // Lookups are switches, not dictionaries: a dictionary built at start-up hashes every option name, and the
    // names (string literals) lie all over the binary's data, a page touched for each.

    /// <summary>A plain flag option: whether it sets or clears its mount(2) flag.</summary>
    private static (bool Set, ulong Flag)? FlagOption(string option) => option switch
    {
        "ro" => (true, MountFlags.ReadOnly), "rw" => (false, MountFlags.ReadOnly),
        "nosuid" => (true, MountFlags.NoSuid), "suid" => (false, MountFlags.NoSuid),
        "nodev" => (true, MountFlags.NoDev), "dev" => (false, MountFlags.NoDev),
        "noexec" => (true, MountFlags.NoExec), "exec" => (false, MountFlags.NoExec),
        "sync" => (true, MountFlags.Synchronous), "async" => (false, MountFlags.Synchronous),
        "dirsync" => (true, MountFlags.DirSync),
        "remount" => (true, MountFlags.Remount),
        "mand" => (true, MountFlags.Mandlock), "nomand" => (false, MountFlags.Mandlock),
        "noatime" => (true, MountFlags.NoAtime), "atime" => (false, MountFlags.NoAtime),
        "nodiratime" => (true, MountFlags.NoDirAtime), "diratime" => (false, MountFlags.NoDirAtime),
        "relatime" => (true, MountFlags.RelAtime), "norelatime" => (false, MountFlags.RelAtime),
        "strictatime" => (true, MountFlags.StrictAtime), "nostrictatime" => (false, MountFlags.StrictAtime),
        "nosymfollow" => (true, MountFlags.NoSymFollow), "symfollow" => (false, MountFlags.NoSymFollow),
        "lazytime" => (true, MountFlags.LazyTime), "nolazytime" => (false, MountFlags.LazyTime),
        "silent" => (true, MountFlags.Silent), "loud" => (false, MountFlags.Silent),
        "iversion" => (true, MountFlags.IVersion), "noiversion" => (false, MountFlags.IVersion),
        "acl" => (true, MountFlags.PosixAcl), "noacl" => (false, MountFlags.PosixAcl),
        _ => null,
    };

    /// <summary>A recursive option: the mount_setattr(2) attributes to set and to clear, as runc maps them.</summary>
    private static (ulong Set, ulong Clear)? RecursiveOption(string option) => option switch
    {
        "rro" => (MountAttributes.ReadOnly, 0), "rrw" => (0, MountAttributes.ReadOnly),
        "rnosuid" => (MountAttributes.NoSuid, 0), "rsuid" => (0, MountAttributes.NoSuid),
        "rnodev" => (MountAttributes.NoDev, 0), "rdev" => (0, MountAttributes.NoDev),
        "rnoexec" => (MountAttributes.NoExec, 0), "rexec" => (0, MountAttributes.NoExec),
        "rnodiratime" => (MountAttributes.NoDirAtime, 0), "rdiratime" => (0, MountAttributes.NoDirAtime),
        "rrelatime" => (MountAttributes.RelAtime, MountAttributes.AtimeMask), "rnorelatime" => (MountAttributes.StrictAtime, MountAttributes.AtimeMask),
        "rnoatime" => (MountAttributes.NoAtime, MountAttributes.AtimeMask), "ratime" => (MountAttributes.RelAtime, MountAttributes.AtimeMask),
        "rstrictatime" => (MountAttributes.StrictAtime, MountAttributes.AtimeMask), "rnostrictatime" => (MountAttributes.RelAtime, MountAttributes.AtimeMask),
        "rnosymfollow" => (MountAttributes.NoSymFollow, 0), "rsymfollow" => (0, MountAttributes.NoSymFollow),
        _ => null,
    };

    /// <summary>A propagation option's flags.</summary>
    private static ulong? PropagationOption(string option) => option switch
    {
        "private" => MountFlags.Private, "rprivate" => MountFlags.Private | MountFlags.Rec,
        "shared" => MountFlags.Shared, "rshared" => MountFlags.Shared | MountFlags.Rec,
        "slave" => MountFlags.Slave, "rslave" => MountFlags.Slave | MountFlags.Rec,
        "unbindable" => MountFlags.Unbindable, "runbindable" => MountFlags.Unbindable | MountFlags.Rec,
        _ => null,
    };

    /// <summary>
    /// Every option <see cref="Parse"/> knows (the rest go to the file system as data), for `features`; the
    /// tests check that each is known to the switches above.
    /// </summary>
    public static IEnumerable<string> Known() =>
    [
        "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "dirsync", "remount", "mand", "nomand",
        "noatime", "atime", "nodiratime", "diratime", "relatime", "norelatime", "strictatime", "nostrictatime",
        "nosymfollow", "symfollow", "lazytime", "nolazytime", "silent", "loud", "iversion", "noiversion", "acl", "noacl",
        "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
        "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
        "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow",
        "bind", "rbind", "defaults", "tmpcopyup", "idmap", "ridmap",
    ];

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
                else if (FlagOption(option) is { } f)
                {
                    flags = f.Set ? flags | f.Flag : flags & ~f.Flag;
                }
                else if (PropagationOption(option) is ulong p)
                {
                    propagation |= p;
                }
                else if (RecursiveOption(option) is { } r)
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
