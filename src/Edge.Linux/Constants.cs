namespace Edge.Linux;

/// <summary>clone(2)/setns(2) namespace flags (the same on every architecture).</summary>
public static class CloneFlags
{
    public const ulong NewTime = 0x80;
    public const ulong NewNs = 0x20000;
    public const ulong NewCgroup = 0x02000000;
    public const ulong NewUts = 0x04000000;
    public const ulong NewIpc = 0x08000000;
    public const ulong NewUser = 0x10000000;
    public const ulong NewPid = 0x20000000;
    public const ulong NewNet = 0x40000000;
}

/// <summary>mount(2) flags (linux/mount.h).</summary>
public static class MountFlags
{
    public const ulong ReadOnly = 1, NoSuid = 2, NoDev = 4, NoExec = 8, Synchronous = 16, Remount = 32,
        Mandlock = 64, DirSync = 128, NoSymFollow = 256, NoAtime = 1024, NoDirAtime = 2048, Bind = 4096,
        Move = 8192, Rec = 16384, Silent = 32768, PosixAcl = 1 << 16, Unbindable = 1 << 17, Private = 1 << 18,
        Slave = 1 << 19, Shared = 1 << 20, RelAtime = 1 << 21, IVersion = 1 << 23, StrictAtime = 1 << 24,
        LazyTime = 1 << 25;

    public const ulong Propagation = Unbindable | Private | Slave | Shared;
}

/// <summary>mount_setattr(2) attributes (linux/mount.h), for a whole mount tree at once.</summary>
public static class MountAttributes
{
    public const ulong ReadOnly = 0x1, NoSuid = 0x2, NoDev = 0x4, NoExec = 0x8, AtimeMask = 0x70, RelAtime = 0x0,
        NoAtime = 0x10, StrictAtime = 0x20, NoDirAtime = 0x80, NoSymFollow = 0x200000;
}

/// <summary>prctl(2) options edge uses from C# (the init's are in Native/init.c).</summary>
public static class Prctl
{
    public const int SetChildSubreaper = 36;
}

/// <summary>Signal numbers (identical on x86-64 and the asm-generic table arm64 uses).</summary>
public static class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGPIPE = 13,
        SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGWINCH = 28;

    private static readonly string[] Names =
    {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    /// <summary>Parses "KILL", "SIGKILL", "sigkill", "9", and "RTMIN+3"; -1 when unknown.</summary>
    public static int Parse(string text)
    {
        if (int.TryParse(text, out int number)) return number is > 0 and <= 64 ? number : -1;
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", System.StringComparison.Ordinal)) name = name[3..];
        if (name == "IOT") return 6;
        if (name == "POLL") return 29;
        for (int i = 1; i < Names.Length; i++)
            if (Names[i] == name) return i;
        if (name.StartsWith("RTMIN", System.StringComparison.Ordinal))
            return name.Length == 5 ? 34 : name[5] == '+' && int.TryParse(name[6..], out int plus) && plus <= 30 ? 34 + plus : -1;
        if (name.StartsWith("RTMAX", System.StringComparison.Ordinal))
            return name.Length == 5 ? 64 : name[5] == '-' && int.TryParse(name[6..], out int minus) && minus <= 30 ? 64 - minus : -1;
        return -1;
    }
}
