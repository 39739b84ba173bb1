using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;

namespace Edge.Layers.Tar;

/// <summary>A tar entry's type, from the header's typeflag byte.</summary>
public enum TarType : byte
{
    Regular = (byte)'0',
    HardLink = (byte)'1',
    Symlink = (byte)'2',
    CharDevice = (byte)'3',
    BlockDevice = (byte)'4',
    Directory = (byte)'5',
    Fifo = (byte)'6',
    Contiguous = (byte)'7',
}

/// <summary>A layer that is not a tar the extractor can apply: the message names the entry.</summary>
public sealed class TarFormatException : Exception
{
    public TarFormatException(string message) : base(message) { }
}

/// <summary>
/// A streaming tar reader over spans: ustar, POSIX pax (path, linkpath, size, uid, gid, mtime,
/// SCHILY.xattr.*), GNU long names and links (L, K), base-256 numbers. It allocates nothing per entry: the
/// current entry's name, link target and xattrs live in buffers it reuses, and data is handed out as spans
/// of its read buffer. It also hashes every byte of the uncompressed stream, which is the layer's DiffID.
/// </summary>
public sealed class TarReader : IDisposable
{
    private const int Block = 512;
    private readonly Stream _source;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 18);
    private int _start, _end;
    private bool _eof;
    private long _dataRemaining, _padding;

    private byte[] _name = ArrayPool<byte>.Shared.Rent(4096);
    private byte[] _link = ArrayPool<byte>.Shared.Rent(4096);
    private byte[] _xattrs = ArrayPool<byte>.Shared.Rent(4096);
    private int _nameLength, _linkLength, _xattrLength;
    // Overrides from a pax header or GNU long name/link, for the next entry only.
    private int _paxNameLength = -1, _paxLinkLength = -1;
    private byte[] _paxName = ArrayPool<byte>.Shared.Rent(4096);
    private byte[] _paxLink = ArrayPool<byte>.Shared.Rent(4096);
    private long _paxSize = -1, _paxUid = -1, _paxGid = -1, _paxMtime = long.MinValue;
    private int _paxMtimeNanos;

    public TarReader(Stream source) => _source = source;

    public TarType Type { get; private set; }
    public ReadOnlySpan<byte> Name => _name.AsSpan(0, _nameLength);
    public ReadOnlySpan<byte> LinkName => _link.AsSpan(0, _linkLength);
    public long Size { get; private set; }
    public uint Mode { get; private set; }
    public uint Uid { get; private set; }
    public uint Gid { get; private set; }
    public long MtimeSeconds { get; private set; }
    public int MtimeNanoseconds { get; private set; }
    public uint DevMajor { get; private set; }
    public uint DevMinor { get; private set; }
    /// <summary>Entries read so far (for error messages and statistics).</summary>
    public long Entries { get; private set; }

    /// <summary>The xattrs of the current entry as (name, value) records: name NUL value-length value.</summary>
    public XattrEnumerator Xattrs => new(_xattrs.AsSpan(0, _xattrLength));

    /// <summary>Moves to the next entry, skipping the rest of the current one's data. False at the end.</summary>
    public bool Next()
    {
        SkipData();
        _xattrLength = 0;
        while (true)
        {
            // A stream may end at a header's boundary without the two zero blocks (GNU tar accepts that too),
            // but never inside a header, nor after a pax header or GNU long name whose entry is missing.
            if (!Fill(Block))
            {
                if (_end > _start) throw new TarFormatException($"entry {Entries + 1}: stream ends inside a header");
                return FinishAtEof();
            }
            ReadOnlySpan<byte> header = _buffer.AsSpan(_start, Block);
            if (IsZero(header))
            {
                Consume(Block);
                return FinishAtEof();
            }
            if (!ChecksumMatches(header)) throw new TarFormatException($"entry {Entries + 1}: bad header checksum (not a tar stream, or corrupt)");
            byte type = header[156];
            long size = ParseNumber(header.Slice(124, 12), "size");
            if (_paxSize >= 0 && type is not ((byte)'x' or (byte)'g')) size = _paxSize;
            if (size < 0) throw new TarFormatException($"entry {Entries + 1}: negative size");
            if (size > MaxSize) throw new TarFormatException($"entry {Entries + 1}: size {size} is larger than any tar entry can be");
            switch (type)
            {
                case (byte)'x': // pax extended header for the next entry
                    Consume(Block);
                    ReadPax(size);
                    continue;
                case (byte)'g': // pax global header: nothing in it changes how a layer applies
                    Consume(Block);
                    SkipBytes(Pad(size));
                    continue;
                case (byte)'L': // GNU long name
                    Consume(Block);
                    _paxNameLength = ReadLong(size, ref _paxName);
                    continue;
                case (byte)'K': // GNU long link
                    Consume(Block);
                    _paxLinkLength = ReadLong(size, ref _paxLink);
                    continue;
            }

            Type = type == 0 ? TarType.Regular : (TarType)type;
            if (Type is not (TarType.Regular or TarType.HardLink or TarType.Symlink or TarType.CharDevice or TarType.BlockDevice
                or TarType.Directory or TarType.Fifo or TarType.Contiguous))
                throw new TarFormatException($"entry {Entries + 1}: unsupported tar entry type '{(char)type}'{(type == 'S' ? " (GNU sparse file)" : "")}");
            Mode = (uint)ParseNumber(header.Slice(100, 8), "mode") & 0xFFF;
            Uid = Id(_paxUid >= 0 ? _paxUid : ParseNumber(header.Slice(108, 8), "uid"), "uid");
            Gid = Id(_paxGid >= 0 ? _paxGid : ParseNumber(header.Slice(116, 8), "gid"), "gid");
            MtimeSeconds = _paxMtime != long.MinValue ? _paxMtime : ParseNumber(header.Slice(136, 12), "mtime");
            MtimeNanoseconds = _paxMtime != long.MinValue ? _paxMtimeNanos : 0;
            DevMajor = Id(ParseNumber(header.Slice(329, 8), "devmajor"), "devmajor");
            DevMinor = Id(ParseNumber(header.Slice(337, 8), "devminor"), "devminor");
            if (_paxNameLength >= 0) SetName(_paxName.AsSpan(0, _paxNameLength));
            else SetUstarName(header);
            if (_paxLinkLength >= 0) Copy(_paxLink.AsSpan(0, _paxLinkLength), ref _link, out _linkLength);
            else Copy(CString(header.Slice(157, 100)), ref _link, out _linkLength);
            Size = Type is TarType.Regular or TarType.Contiguous ? size : 0;
            _dataRemaining = Size;
            _padding = Pad(size) - Size; // other types' data (there should be none) is skipped as padding
            Consume(Block);
            ResetOverrides();
            Entries++;
            return true;
        }
    }

    /// <summary>The next chunk of the current entry's data, empty at its end; valid until the next call.</summary>
    public ReadOnlySpan<byte> ReadData()
    {
        if (_dataRemaining == 0) return ReadOnlySpan<byte>.Empty;
        if (!Fill(1)) throw new TarFormatException($"entry {Entries}: stream ends inside the file data");
        int n = (int)Math.Min(_end - _start, _dataRemaining);
        var chunk = new ReadOnlySpan<byte>(_buffer, _start, n);
        _start += n;
        _dataRemaining -= n;
        return chunk;
    }

    /// <summary>Reads to the end of the stream and returns the sha256 of everything (the DiffID).</summary>
    public string FinishDiffId()
    {
        SkipData();
        _hash.AppendData(_buffer, 0, _end); // nothing in the buffer is hashed until it leaves it
        _start = _end = 0;
        while (!_eof)
        {
            int n = _source.Read(_buffer, 0, _buffer.Length);
            if (n == 0) _eof = true;
            else _hash.AppendData(_buffer, 0, n);
        }
        return "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    /// <summary>Sizes up to 2^62: far beyond any file, and far from where the padding arithmetic could overflow.</summary>
    private const long MaxSize = 1L << 62;

    private bool FinishAtEof()
    {
        if (_paxNameLength >= 0 || _paxLinkLength >= 0 || _paxSize >= 0 || _paxUid >= 0 || _paxGid >= 0 || _paxMtime != long.MinValue)
            throw new TarFormatException($"entry {Entries + 1}: stream ends after an extended header, without its entry");
        return false;
    }

    private void SkipData()
    {
        SkipBytes(_dataRemaining + _padding);
        _dataRemaining = 0;
        _padding = 0;
    }

    private void SkipBytes(long count)
    {
        while (count > 0)
        {
            if (!Fill(1)) throw new TarFormatException($"entry {Entries}: stream ends inside an entry");
            int n = (int)Math.Min(_end - _start, count);
            _start += n;
            count -= n;
        }
    }

    private void Consume(int count) => _start += count;

    /// <summary>Makes at least <paramref name="count"/> bytes available at _start (hashing what it reads).</summary>
    private bool Fill(int count)
    {
        if (_end - _start >= count) return true;
        if (_start > 0)
        {
            // The consumed prefix is hashed once, as it leaves the buffer.
            _hash.AppendData(_buffer, 0, _start);
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end < count && !_eof)
        {
            int n = _source.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) _eof = true;
            _end += n;
        }
        return _end - _start >= count;
    }

    private static long Pad(long size) => (size + Block - 1) / Block * Block;

    private void ReadPax(long size)
    {
        if (size > 1 << 20) throw new TarFormatException($"entry {Entries + 1}: pax header of {size} bytes");
        byte[] records = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            ReadExactly(records.AsSpan(0, (int)size));
            SkipBytes(Pad(size) - size);
            ReadOnlySpan<byte> rest = records.AsSpan(0, (int)size);
            while (rest.Length > 0)
            {
                // "LEN key=value\n", LEN counting the whole record.
                int space = rest.IndexOf((byte)' ');
                if (space <= 0 || !TryParseDecimal(rest[..space], out long length) || length <= space || length > rest.Length)
                    throw new TarFormatException($"entry {Entries + 1}: malformed pax record");
                ReadOnlySpan<byte> record = rest.Slice(space + 1, (int)length - space - 2);
                rest = rest[(int)length..];
                int equals = record.IndexOf((byte)'=');
                if (equals < 0) continue;
                ReadOnlySpan<byte> key = record[..equals], value = record[(equals + 1)..];
                if (key.SequenceEqual("path"u8)) _paxNameLength = CopyInto(value, ref _paxName);
                else if (key.SequenceEqual("linkpath"u8)) _paxLinkLength = CopyInto(value, ref _paxLink);
                else if (key.SequenceEqual("size"u8)) _paxSize = NonNegative(Decimal(value, "size"), "size");
                else if (key.SequenceEqual("uid"u8)) _paxUid = NonNegative(Decimal(value, "uid"), "uid");
                else if (key.SequenceEqual("gid"u8)) _paxGid = NonNegative(Decimal(value, "gid"), "gid");
                else if (key.SequenceEqual("mtime"u8)) ParseTime(value);
                else if (key.StartsWith("SCHILY.xattr."u8)) AddXattr(key["SCHILY.xattr.".Length..], value);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(records);
        }
    }

    private int ReadLong(long size, ref byte[] target)
    {
        if (size > 1 << 16) throw new TarFormatException($"entry {Entries + 1}: GNU long name of {size} bytes");
        if (target.Length < size)
        {
            ArrayPool<byte>.Shared.Return(target);
            target = ArrayPool<byte>.Shared.Rent((int)size);
        }
        ReadExactly(target.AsSpan(0, (int)size));
        SkipBytes(Pad(size) - size);
        return CString(target.AsSpan(0, (int)size)).Length;
    }

    private void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (!Fill(1)) throw new TarFormatException($"entry {Entries + 1}: stream ends inside a header");
            int n = Math.Min(_end - _start, destination.Length);
            _buffer.AsSpan(_start, n).CopyTo(destination);
            _start += n;
            destination = destination[n..];
        }
    }

    private void AddXattr(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        int needed = _xattrLength + name.Length + 1 + 4 + value.Length;
        if (needed > _xattrs.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(needed * 2);
            _xattrs.AsSpan(0, _xattrLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_xattrs);
            _xattrs = bigger;
        }
        Span<byte> slot = _xattrs.AsSpan(_xattrLength);
        name.CopyTo(slot);
        slot[name.Length] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(slot[(name.Length + 1)..], value.Length);
        value.CopyTo(slot[(name.Length + 5)..]);
        _xattrLength = needed;
    }

    private void ParseTime(ReadOnlySpan<byte> value)
    {
        int dot = value.IndexOf((byte)'.');
        _paxMtime = Decimal(dot < 0 ? value : value[..dot], "mtime");
        _paxMtimeNanos = 0;
        if (dot >= 0)
        {
            ReadOnlySpan<byte> fraction = value[(dot + 1)..];
            int nanos = 0;
            for (int i = 0; i < 9; i++) nanos = nanos * 10 + (i < fraction.Length && fraction[i] is >= (byte)'0' and <= (byte)'9' ? fraction[i] - '0' : 0);
            _paxMtimeNanos = nanos;
        }
    }

    /// <summary>A pax number that may not be negative (-1 would also read as "not given").</summary>
    private long NonNegative(long value, string field) =>
        value >= 0 ? value : throw new TarFormatException($"entry {Entries + 1}: pax {field} is negative");

    private long Decimal(ReadOnlySpan<byte> value, string field) =>
        TryParseDecimal(value, out long result) ? result : throw new TarFormatException($"entry {Entries + 1}: pax {field} is not a number");

    private static bool TryParseDecimal(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        bool negative = text.Length > 0 && text[0] == '-';
        if (negative) text = text[1..];
        if (text.Length == 0 || text.Length > 18) return false;
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        if (negative) value = -value;
        return true;
    }

    /// <summary>
    /// A uid, gid or device number: 32 bits. A larger one is refused rather than cut down to 32 bits (where
    /// 2^32 would become 0, root).
    /// </summary>
    private uint Id(long value, string what) =>
        value is >= 0 and <= uint.MaxValue ? (uint)value : throw new TarFormatException($"entry {Entries + 1}: {what} {value} is out of range");

    /// <summary>
    /// An octal field (NUL/space terminated) or GNU base-256 (high bit of the first byte set). A base-256
    /// value that does not fit in 63 bits is refused, never wrapped (a 12-byte field holds 95 bits).
    /// </summary>
    private long ParseNumber(ReadOnlySpan<byte> field, string what)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x3F; // bit 6 is the sign: negative values are refused below
            if ((field[0] & 0x40) != 0) return -1;
            for (int i = 1; i < field.Length; i++)
            {
                if (value > long.MaxValue >> 8) throw new TarFormatException($"entry {Entries + 1}: header field {what} is too large");
                value = (value << 8) | field[i];
            }
            return value;
        }
        long result = 0;
        int start = 0;
        while (start < field.Length && field[start] == ' ') start++;
        for (int i = start; i < field.Length; i++)
        {
            byte b = field[i];
            if (b is 0 or (byte)' ') break;
            if (b is < (byte)'0' or > (byte)'7') throw new TarFormatException($"entry {Entries + 1}: header field {what} is not octal");
            result = (result << 3) | (uint)(b - '0');
        }
        return result;
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        long unsigned = 0;
        for (int i = 0; i < Block; i++) unsigned += i is >= 148 and < 156 ? ' ' : header[i];
        long stored = 0;
        foreach (byte b in header.Slice(148, 8))
        {
            if (b is >= (byte)'0' and <= (byte)'7') stored = (stored << 3) | (uint)(b - '0');
            else if (b is 0 or (byte)' ') { if (stored > 0) break; }
            else return false;
        }
        return stored == unsigned;
    }

    private static bool IsZero(ReadOnlySpan<byte> block) => block.IndexOfAnyExcept((byte)0) < 0;

    private void SetUstarName(ReadOnlySpan<byte> header)
    {
        ReadOnlySpan<byte> name = CString(header[..100]);
        ReadOnlySpan<byte> prefix = header.Slice(257, 6).SequenceEqual("ustar\0"u8) ? CString(header.Slice(345, 155)) : default;
        if (prefix.Length == 0)
        {
            SetName(name);
            return;
        }
        EnsureCapacity(ref _name, prefix.Length + 1 + name.Length);
        prefix.CopyTo(_name);
        _name[prefix.Length] = (byte)'/';
        name.CopyTo(_name.AsSpan(prefix.Length + 1));
        _nameLength = prefix.Length + 1 + name.Length;
    }

    private void SetName(ReadOnlySpan<byte> name) => Copy(name, ref _name, out _nameLength);

    private static void Copy(ReadOnlySpan<byte> source, ref byte[] target, out int length)
    {
        EnsureCapacity(ref target, source.Length);
        source.CopyTo(target);
        length = source.Length;
    }

    private static int CopyInto(ReadOnlySpan<byte> source, ref byte[] target)
    {
        Copy(source, ref target, out int length);
        return length;
    }

    private static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length >= size) return;
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = ArrayPool<byte>.Shared.Rent(size);
    }

    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    private void ResetOverrides()
    {
        _paxNameLength = _paxLinkLength = -1;
        _paxSize = _paxUid = _paxGid = -1;
        _paxMtime = long.MinValue;
    }

    public void Dispose()
    {
        _hash.Dispose();
        foreach (byte[] b in new[] { _buffer, _name, _link, _xattrs, _paxName, _paxLink }) ArrayPool<byte>.Shared.Return(b);
        _buffer = _name = _link = _xattrs = _paxName = _paxLink = Array.Empty<byte>();
    }
}

/// <summary>Walks the xattr records of a tar entry without allocating.</summary>
public ref struct XattrEnumerator
{
    private ReadOnlySpan<byte> _rest;

    public XattrEnumerator(ReadOnlySpan<byte> records)
    {
        _rest = records;
        Name = default;
        Value = default;
    }

    /// <summary>The name including its terminating NUL (ready for setxattr).</summary>
    public ReadOnlySpan<byte> Name { get; private set; }
    public ReadOnlySpan<byte> Value { get; private set; }

    public XattrEnumerator GetEnumerator() => this;
    public XattrEnumerator Current => this;

    public bool MoveNext()
    {
        if (_rest.Length == 0) return false;
        int nul = _rest.IndexOf((byte)0);
        Name = _rest[..(nul + 1)];
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_rest[(nul + 1)..]);
        Value = _rest.Slice(nul + 5, length);
        _rest = _rest[(nul + 5 + length)..];
        return true;
    }
}
