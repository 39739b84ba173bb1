using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Image.Registry;

/// <summary>
/// The limits a hostile or broken registry meets on every request (docs/security.md, "hostile registry"):
/// the whole request, headers to last byte, within <see cref="RegistryOptions.RequestTimeout"/>; each read
/// within <see cref="RegistryOptions.StallTimeout"/>; and at least <see cref="RegistryOptions.MinimumRate"/>
/// bytes a second over every stall-timeout window, so a registry that trickles a byte a second is cut off
/// like one that sends nothing.
/// </summary>
public sealed class ResponsePace : IDisposable
{
    private readonly RegistryOptions _options;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _deadline;
    private long _windowBytes, _windowStart = Stopwatch.GetTimestamp();

    public ResponsePace(RegistryOptions options, CancellationToken caller)
    {
        _options = options;
        _caller = caller;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _deadline.CancelAfter(options.RequestTimeout);
    }

    /// <summary>Cancelled by the caller or at the request's deadline.</summary>
    public CancellationToken Token => _deadline.Token;

    /// <summary>True when <paramref name="ex"/> is this request's deadline, not the caller's cancellation.</summary>
    public bool IsDeadline(Exception ex) => ex is OperationCanceledException && _deadline.IsCancellationRequested && !_caller.IsCancellationRequested;

    public async ValueTask<int> ReadAsync(Stream body, Memory<byte> buffer)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token);
        stall.CancelAfter(_options.StallTimeout);
        int n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
        _windowBytes += n;
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_windowStart);
        if (n > 0 && elapsed >= _options.StallTimeout)
        {
            double rate = _windowBytes / elapsed.TotalSeconds;
            if (rate < _options.MinimumRate)
                throw new TransferTooSlowException($"sending {rate:0} bytes/s, below the {_options.MinimumRate} bytes/s edge waits for (--min-rate)");
            _windowBytes = 0;
            _windowStart = Stopwatch.GetTimestamp();
        }
        return n;
    }

    public void Dispose() => _deadline.Dispose();
}

/// <summary>A transfer slower than the minimum rate: treated as a broken connection (retried, then an error).</summary>
public sealed class TransferTooSlowException : IOException
{
    public TransferTooSlowException(string message) : base(message) { }
}
