using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// open(2) flags. Most are the same on every Linux architecture, but O_DIRECTORY, O_NOFOLLOW, O_DIRECT and
/// O_LARGEFILE differ between x86 (asm-generic) and arm/arm64 (arch/arm64/include/uapi/asm/fcntl.h), so they
/// are chosen for the architecture the binary runs on.
/// </summary>
public static class OpenFlags
{
    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;
    public const int Create = 0x40;       // 0100
    public const int Exclusive = 0x80;    // 0200
    public const int NoCtty = 0x100;      // 0400
    public const int Truncate = 0x200;    // 01000
    public const int Append = 0x400;      // 02000
    public const int NonBlock = 0x800;    // 04000
    public const int CloseOnExec = 0x80000; // 02000000
    public const int Path = 0x200000;     // 010000000

    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;

    public static readonly int Directory = IsArm ? 0x4000 : 0x10000;  // 040000 : 0200000
    public static readonly int NoFollow = IsArm ? 0x8000 : 0x20000;   // 0100000 : 0400000
}
