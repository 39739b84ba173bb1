using System;
using System.Text;

namespace Edge.Linux;

/// <summary>
/// The one rule by which edge turns a path it was given (a mount destination, a masked path, a tar entry's
/// name, a cwd) into a path below a root: empty and "." components are dropped, ".." removes the component
/// before it and never climbs above the root, and the result has no leading, trailing or doubled slash. The
/// root itself is the empty path ("." as a string). Native/init.c's clean_relative is the same rule on its
/// side of the boundary. Cleaning is lexical only: symlinks are resolved later, inside the root, from its fd
/// (InRoot, or openat2 RESOLVE_IN_ROOT in the init).
/// </summary>
public static class PathClean
{
    /// <summary>Cleans <paramref name="raw"/> into <paramref name="output"/>; false when it does not fit.</summary>
    public static bool TryRelative(ReadOnlySpan<byte> raw, Span<byte> output, out int length) =>
        TryRelative(raw, output, out length, out _);

    /// <param name="climbed">Set when a ".." would have climbed above the root (and was clamped): what an
    /// archive's member name must never do.</param>
    public static bool TryRelative(ReadOnlySpan<byte> raw, Span<byte> output, out int length, out bool climbed)
    {
        length = 0;
        climbed = false;
        int i = 0;
        while (i < raw.Length)
        {
            while (i < raw.Length && raw[i] == '/') i++;
            int start = i;
            while (i < raw.Length && raw[i] != '/') i++;
            ReadOnlySpan<byte> component = raw[start..i];
            if (component.Length == 0 || component.SequenceEqual("."u8)) continue;
            if (component.SequenceEqual(".."u8))
            {
                climbed |= length == 0;
                while (length > 0 && output[length - 1] != '/') length--;
                if (length > 0) length--;
                continue;
            }
            int needed = length + (length > 0 ? 1 : 0) + component.Length;
            if (needed > output.Length) return false;
            if (length > 0) output[length++] = (byte)'/';
            component.CopyTo(output[length..]);
            length += component.Length;
        }
        return true;
    }

    /// <summary>"/dev/../etc/x" -> "etc/x"; the root is ".".</summary>
    public static string Relative(string path) => Relative(path, out _);

    /// <summary>As <see cref="Relative(string)"/>, telling whether a ".." tried to climb above the root.</summary>
    public static string Relative(string path, out bool climbed)
    {
        // On the stack for the usual lengths: a container's set-up cleans a hundred paths.
        int size = Encoding.UTF8.GetByteCount(path);
        Span<byte> raw = size <= 512 ? stackalloc byte[size] : new byte[size];
        Span<byte> output = size <= 512 ? stackalloc byte[size] : new byte[size];
        Encoding.UTF8.GetBytes(path, raw);
        TryRelative(raw, output, out int length, out climbed); // never longer than its input
        return length == 0 ? "." : Encoding.UTF8.GetString(output[..length]);
    }
}
