using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Runtime.Init;

/// <summary>
/// Unmanaged memory for an init program: NUL-terminated strings, pointer arrays and the steps themselves.
/// The child of clone(2) gets its own copy; the parent frees everything when it disposes the arena.
/// </summary>
public sealed unsafe class NativeArena : IDisposable
{
    private readonly List<nint> _blocks = new();

    public byte* Alloc(int size)
    {
        byte* p = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(size, 1));
        _blocks.Add((nint)p);
        return p;
    }

    public byte* String(string? value)
    {
        if (value is null) return null;
        int length = Encoding.UTF8.GetByteCount(value);
        byte* p = Alloc(length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, length));
        return p;
    }

    public byte* Bytes(ReadOnlySpan<byte> value)
    {
        byte* p = Alloc(value.Length + 1);
        value.CopyTo(new Span<byte>(p, value.Length));
        return p;
    }

    /// <summary>A NULL-terminated array of C strings (argv, envp).</summary>
    public byte** StringArray(IReadOnlyList<string> values)
    {
        byte** array = (byte**)Alloc((values.Count + 1) * sizeof(nint));
        for (int i = 0; i < values.Count; i++) array[i] = String(values[i]);
        array[values.Count] = null;
        return array;
    }

    public void Dispose()
    {
        foreach (nint block in _blocks) NativeMemory.Free((void*)block);
        _blocks.Clear();
    }
}
