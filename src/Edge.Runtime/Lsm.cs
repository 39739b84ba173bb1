using System.IO;

namespace Edge.Runtime;

/// <summary>
/// The Linux security modules a container can ask to be confined by (process.apparmorProfile,
/// process.selinuxLabel): whether this host has them, and the /proc/self/attr file that labels the next
/// execve. A config that asks for a module the host does not have is refused, as runc refuses it: the
/// container would otherwise run unconfined while its author believes it is not.
/// </summary>
public static class Lsm
{
    /// <summary>AppArmor is loaded and enabled (the same test as runc and libapparmor).</summary>
    public static bool AppArmorEnabled
    {
        get
        {
            if (!Directory.Exists("/sys/kernel/security/apparmor")) return false;
            try
            {
                return Edge.Linux.SysFile.TryReadText("/sys/module/apparmor/parameters/enabled", out string enabled) && enabled.StartsWith('Y');
            }
            catch (System.Exception ex) when (ex is IOException or System.UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>SELinux is enabled: selinuxfs is mounted where libselinux looks first.</summary>
    public static bool SelinuxEnabled => File.Exists("/sys/fs/selinux/enforce");

    /// <summary>The file under the procfs handle that sets AppArmor's profile for the next execve (Linux 5.8 moved it).</summary>
    public static string AppArmorExecAttribute =>
        Directory.Exists("/proc/self/attr/apparmor") ? "self/attr/apparmor/exec" : "self/attr/exec";

    /// <summary>SELinux's label for the next execve.</summary>
    public const string SelinuxExecAttribute = "self/attr/exec";
}
