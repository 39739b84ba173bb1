using System;
using System.Buffers;

namespace Edge.Layers;

/// <summary>
/// A set of 64-bit path hashes in a pooled open-addressing table: the applier remembers what a layer wrote
/// (for opaque directories) without allocating per entry. 0 marks an empty slot, so a hash of 0 is stored as 1.
/// </summary>
internal sealed class PathSet : IDisposable
{
    private ulong[] _slots = ArrayPool<ulong>.Shared.Rent(1024);
    private int _count;

    public PathSet() => Array.Clear(_slots);

    public void Add(ulong hash)
    {
        if (hash == 0) hash = 1;
        if ((_count + 1) * 2 > _slots.Length) Grow();
        if (Insert(_slots, hash)) _count++;
    }

    public bool Contains(ulong hash)
    {
        if (hash == 0) hash = 1;
        int mask = _slots.Length - 1;
        for (int i = (int)(hash & (ulong)mask); ; i = (i + 1) & mask)
        {
            if (_slots[i] == hash) return true;
            if (_slots[i] == 0) return false;
        }
    }

    private static bool Insert(ulong[] slots, ulong hash)
    {
        int mask = slots.Length - 1;
        for (int i = (int)(hash & (ulong)mask); ; i = (i + 1) & mask)
        {
            if (slots[i] == hash) return false;
            if (slots[i] == 0)
            {
                slots[i] = hash;
                return true;
            }
        }
    }

    private void Grow()
    {
        ulong[] bigger = ArrayPool<ulong>.Shared.Rent(_slots.Length * 2);
        Array.Clear(bigger);
        foreach (ulong h in _slots)
            if (h != 0) Insert(bigger, h);
        ArrayPool<ulong>.Shared.Return(_slots);
        _slots = bigger;
    }

    public void Dispose()
    {
        ArrayPool<ulong>.Shared.Return(_slots);
        _slots = Array.Empty<ulong>();
    }
}
