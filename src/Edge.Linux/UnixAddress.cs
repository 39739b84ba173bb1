using System;
using System.Text;

namespace Edge.Linux;

/// <summary>struct sockaddr_un { sa_family_t family; char path[108]; } for a unix socket's path.</summary>
public static unsafe class UnixAddress
{
    /// <summary>The buffer <see cref="Fill"/> writes.</summary>
    public const int Size = 110;

    /// <summary>
    /// Fills ADDRESS (<see cref="Size"/> bytes) for PATH and returns the length to pass to bind, connect or
    /// sendto; -1 when PATH does not fit. With <paramref name="abstractAt"/>, a leading '@' names a socket in
    /// the abstract namespace, as $NOTIFY_SOCKET may.
    /// </summary>
    public static int Fill(string path, byte* address, bool abstractAt = false)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= 108) return -1;
        new Span<byte>(address, Size).Clear();
        *(ushort*)address = (ushort)Libc.AF_UNIX;
        name.CopyTo(new Span<byte>(address + 2, 108));
        bool isAbstract = abstractAt && name.Length > 0 && name[0] == (byte)'@';
        if (isAbstract) address[2] = 0;
        return 2 + name.Length + (isAbstract ? 0 : 1);
    }
}
