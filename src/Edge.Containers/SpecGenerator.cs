using System;
using System.Collections.Generic;
using System.IO;
using Edge.Image;
using Edge.Oci.Image;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;

namespace Edge.Containers;

/// <summary>
/// An image config turned into a runtime config (image-spec conversion.md) on top of edge's default spec:
/// Entrypoint + Cmd, Env over a default PATH, WorkingDir, User resolved against the image's own /etc/passwd
/// and /etc/group, Labels and the image's other properties as annotations. Capabilities are docker's
/// default set, which is what images expect, rather than runc's minimal one.
/// </summary>
public static class SpecGenerator
{
    public static readonly string[] ImageCapabilities =
    {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    };

    public static Spec Generate(ImageConfig image, string rootfs, string hostname, RunOptions options)
    {
        ContainerConfig config = image.Config ?? new ContainerConfig();
        Spec spec = DefaultSpec.Create();
        Process process = spec.Process!;

        var args = new List<string>();
        if (options.Entrypoint is not null) { if (options.Entrypoint.Length > 0) args.Add(options.Entrypoint); }
        else if (config.Entrypoint is not null) args.AddRange(config.Entrypoint);
        if (options.Command.Count > 0) args.AddRange(options.Command);
        else if (options.Entrypoint is null && config.Cmd is not null) args.AddRange(config.Cmd);
        if (args.Count == 0) throw new ImageException("the image has no Entrypoint or Cmd: give a command after the image");
        process.Args = args;

        var env = new List<string>();
        Merge(env, DefaultSpec.DefaultPath);
        Merge(env, "HOSTNAME=" + hostname);
        if (options.Terminal) Merge(env, "TERM=xterm");
        foreach (string e in config.Env ?? new List<string>()) Merge(env, e);
        foreach (string e in options.Env)
            Merge(env, e.Contains('=') ? e : Environment.GetEnvironmentVariable(e) is string v ? $"{e}={v}" : e);
        process.Env = env.FindAll(e => e.Contains('='));
        process.Cwd = options.WorkingDir ?? (string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir);
        if (!process.Cwd.StartsWith('/')) throw new ImageException($"working directory \"{process.Cwd}\" is not absolute");
        process.User = UserResolver.Resolve(options.User ?? config.User ?? "", rootfs);
        process.Terminal = options.Terminal;
        process.NoNewPrivileges = false;
        process.Capabilities = new Capabilities
        {
            Bounding = new List<string>(ImageCapabilities),
            Effective = new List<string>(ImageCapabilities),
            Permitted = new List<string>(ImageCapabilities),
        };
        process.Rlimits = null;

        spec.Hostname = hostname;
        spec.Root = new Root { Path = "rootfs", Readonly = options.ReadOnly };
        foreach (string volume in options.Volumes) spec.Mounts!.Add(BindMount(volume));
        if (options.Network == "host")
        {
            spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
            // sysfs belongs to a network namespace edge does not own now: bind the host's read-only instead.
            int sys = spec.Mounts!.FindIndex(m => m.Destination == "/sys");
            spec.Mounts[sys] = new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = new() { "rbind", "nosuid", "noexec", "nodev", "ro" } };
        }
        else if (options.Network is not ("private" or "none"))
        {
            throw new ImageException($"unknown network mode \"{options.Network}\" (use host or none)");
        }

        spec.Annotations = Annotations(image, config);
        return spec;
    }

    private static Dictionary<string, string> Annotations(ImageConfig image, ContainerConfig config)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in config.Labels ?? new Dictionary<string, string>()) annotations[k] = v;
        annotations["org.opencontainers.image.os"] = image.Os;
        annotations["org.opencontainers.image.architecture"] = image.Architecture;
        if (image.Variant is not null) annotations["org.opencontainers.image.variant"] = image.Variant;
        if (image.Author is not null) annotations["org.opencontainers.image.author"] = image.Author;
        if (image.Created is not null) annotations["org.opencontainers.image.created"] = image.Created;
        if (config.StopSignal is not null) annotations["org.opencontainers.image.stopSignal"] = config.StopSignal;
        if (config.ExposedPorts is { Count: > 0 } ports)
        {
            var names = new List<string>(ports.Keys);
            names.Sort(StringComparer.Ordinal);
            annotations["org.opencontainers.image.exposedPorts"] = string.Join(',', names);
        }
        return annotations;
    }

    private static Mount BindMount(string volume)
    {
        string[] parts = volume.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            throw new ImageException($"invalid volume \"{volume}\": expected HOST:CONTAINER[:ro|rw] with an absolute container path");
        string source = Path.GetFullPath(parts[0]);
        if (!File.Exists(source) && !Directory.Exists(source)) throw new ImageException($"volume source \"{parts[0]}\" does not exist");
        bool ro = parts.Length == 3 && parts[2] == "ro";
        return new Mount { Destination = parts[1], Type = "bind", Source = source, Options = new() { "rbind", ro ? "ro" : "rw" } };
    }

    /// <summary>Sets KEY=VALUE, replacing an earlier value of KEY (later wins).</summary>
    private static void Merge(List<string> env, string entry)
    {
        int eq = entry.IndexOf('=');
        string key = eq < 0 ? entry : entry[..eq];
        env.RemoveAll(e => e == key || e.StartsWith(key + "=", StringComparison.Ordinal));
        env.Add(entry);
    }
}
