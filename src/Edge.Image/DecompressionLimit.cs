using System;
using System.IO;
using Edge.Linux;

namespace Edge.Image;

/// <summary>
/// How far a compressed layer may expand (docs/security.md, "decompression bombs"). OCI descriptors declare
/// only the compressed size, so the bound is a ratio of it with a floor, under an absolute ceiling:
/// EDGE_MAX_LAYER_RATIO (default 256), at least EDGE_MIN_LAYER_LIMIT (default 1 GiB), at most
/// EDGE_MAX_LAYER_SIZE (default 64 GiB). Legitimate layers stay far below it (a typical layer expands 2 to 5
/// times); a gzip of zeros expands about a thousand times, zstd's far more.
/// </summary>
public static class DecompressionLimit
{
    /// <summary>The limit for a blob of <paramref name="compressedSize"/> bytes, with the settings from the environment.</summary>
    public static long For(long compressedSize) => For(compressedSize,
        Limits.TryNumber("EDGE_MAX_LAYER_RATIO", out long r) ? r : 256,
        Limits.TryBytes("EDGE_MIN_LAYER_LIMIT", out long f) ? f : 1L << 30,
        Limits.TryBytes("EDGE_MAX_LAYER_SIZE", out long c) ? c : 64L << 30);

    public static long For(long compressedSize, long ratio, long floor, long ceiling)
    {
        long byRatio = compressedSize > 0 && compressedSize < long.MaxValue / Math.Max(1, ratio) ? compressedSize * ratio : long.MaxValue;
        return Math.Min(ceiling, Math.Max(floor, byRatio));
    }

    /// <summary>The decompressed stream of a blob of <paramref name="compressedSize"/> bytes, refused past its limit.</summary>
    public static Stream Bound(Stream decompressed, long compressedSize, string display, long limit = -1) =>
        new BoundedStream(decompressed, limit >= 0 ? limit : For(compressedSize), compressedSize, display);

    private sealed class BoundedStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _limit, _compressed;
        private readonly string _display;
        private long _read;

        public BoundedStream(Stream inner, long limit, long compressed, string display)
        {
            _inner = inner;
            _limit = limit;
            _compressed = compressed;
            _display = display;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = _inner.Read(buffer);
            _read += n;
            if (_read > _limit)
                throw new ImageException($"{_display}: expands to more than {_limit} bytes from {_compressed} (a decompression bomb?); " +
                    "EDGE_MAX_LAYER_RATIO, EDGE_MIN_LAYER_LIMIT and EDGE_MAX_LAYER_SIZE set the limit");
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
