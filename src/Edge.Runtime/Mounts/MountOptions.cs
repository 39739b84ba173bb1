using System;
using System.Collections.Generic;
using Edge.Linux;

namespace Edge.Runtime.Mounts;

/// <summary>A mount's "options" translated into mount(2) flags, propagation flags and file-system data.</summary>
public readonly record struct ParsedMountOptions(ulong Flags, ulong Propagation, string? Data, bool Bind, bool Recursive, bool ChangesBindFlags);

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
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = MountFlags.Private, ["rprivate"] = MountFlags.Private | MountFlags.Rec,
        ["shared"] = MountFlags.Shared, ["rshared"] = MountFlags.Shared | MountFlags.Rec,
        ["slave"] = MountFlags.Slave, ["rslave"] = MountFlags.Slave | MountFlags.Rec,
        ["unbindable"] = MountFlags.Unbindable, ["runbindable"] = MountFlags.Unbindable | MountFlags.Rec,
    };

    public static ParsedMountOptions Parse(string? type, IReadOnlyList<string>? options)
    {
        ulong flags = 0, propagation = 0;
        bool bind = type == "bind", recursive = false;
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
        return new ParsedMountOptions(flags, propagation, data.Count == 0 ? null : string.Join(',', data), bind, recursive, changes);
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
