using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// Terminals: the console pseudo-terminal and the foreground relay.
/// </summary>
public static unsafe partial class Libc
{
    [LibraryImport(Name, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Name, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Name, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int when, byte* termios);

    [LibraryImport(Name, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(byte* termios);
}
