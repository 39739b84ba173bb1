using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;

namespace Edge.Layers;

/// <summary>
/// A read-only zstd decompressing stream over libzstd's streaming API. In the static binary libzstd.a is
/// linked in (DirectPInvoke "libzstd"); elsewhere (tests) the shared libzstd is loaded.
/// </summary>
public sealed unsafe partial class ZstdStream : Stream
{
    private const string Library = "libzstd";

    [StructLayout(LayoutKind.Sequential)]
    private struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createDStream")]
    private static partial nint CreateDStream();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDStream")]
    private static partial nuint FreeDStream(nint stream);

    [LibraryImport(Library, EntryPoint = "ZSTD_initDStream")]
    private static partial nuint InitDStream(nint stream);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    private static partial nuint DecompressStream(nint stream, Buffer* output, Buffer* input);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    private static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* GetErrorName(nuint code);

    private readonly Stream _source;
    private nint _stream;
    private byte[] _input = ArrayPool<byte>.Shared.Rent(128 << 10);
    private int _inputStart, _inputEnd;
    private bool _sourceDone, _frameDone = true;

    public ZstdStream(Stream source)
    {
        _source = source;
        _stream = CreateDStream();
        if (_stream == 0) throw new InvalidDataException("zstd: cannot create a decompression context");
        Check(InitDStream(_stream));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (destination.Length == 0) return 0;
        while (true)
        {
            if (_inputStart == _inputEnd && !_sourceDone)
            {
                _inputEnd = _source.Read(_input, 0, _input.Length);
                _inputStart = 0;
                if (_inputEnd == 0) _sourceDone = true;
            }
            if (_inputStart == _inputEnd && _sourceDone)
            {
                if (!_frameDone) throw new InvalidDataException("zstd: the stream ends inside a frame");
                return 0;
            }
            fixed (byte* input = _input)
            fixed (byte* output = destination)
            {
                var inBuffer = new Buffer { Data = input + _inputStart, Size = (nuint)(_inputEnd - _inputStart) };
                var outBuffer = new Buffer { Data = output, Size = (nuint)destination.Length };
                nuint hint = DecompressStream(_stream, &outBuffer, &inBuffer);
                Check(hint);
                _inputStart += (int)inBuffer.Position;
                _frameDone = hint == 0;
                if (outBuffer.Position > 0) return (int)outBuffer.Position;
            }
        }
    }

    private static void Check(nuint code)
    {
        if (IsError(code) != 0) throw new InvalidDataException("zstd: " + Marshal.PtrToStringUTF8((nint)GetErrorName(code)));
    }

    protected override void Dispose(bool disposing)
    {
        if (_stream != 0) FreeDStream(_stream);
        _stream = 0;
        if (_input.Length > 0) ArrayPool<byte>.Shared.Return(_input);
        _input = Array.Empty<byte>();
        if (disposing) _source.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
