using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using Edge.Image;
using Edge.Image.Pull;

namespace Edge.Cli.CommandLine;

/// <summary>
/// Per-blob progress lines on a terminal (state, bytes, rate), redrawn in place a few times a second with
/// ANSI cursor movement. Only used when stdout is a terminal and --quiet is not given.
/// </summary>
internal sealed class PullProgressDisplay : IPullProgress, IDisposable
{
    private sealed class Line
    {
        public required string Label;
        public long Size;
        public long Done;
        public long StartedAt;
        public long StartBytes;
        public string State = "waiting";
    }

    private readonly Output _output;
    private readonly List<Line> _lines = new();
    private readonly Dictionary<Digest, Line> _byDigest = new();
    private readonly object _lock = new();
    /// <summary>Redraws every 200 ms from the first blob on: a run whose image is stored never starts it.</summary>
    private Timer? _timer;
    private int _drawn;

    public PullProgressDisplay(Output output)
    {
        _output = output;
    }

    public void Begin(Digest digest, string kind, long size, long resumedAt)
    {
        lock (_lock)
        {
            Line line = Get(digest, kind);
            line.Size = size;
            line.Done = resumedAt;
            line.StartBytes = resumedAt;
            line.StartedAt = Stopwatch.GetTimestamp();
            line.State = resumedAt > 0 ? "resuming" : "downloading";
        }
    }

    public void Advance(Digest digest, long bytes)
    {
        lock (_lock)
        {
            Line line = _byDigest[digest];
            line.Done += bytes;
            line.State = "downloading";
        }
    }

    public void Retry(Digest digest, long offset, string reason)
    {
        lock (_lock)
        {
            Line line = _byDigest[digest];
            line.Done = offset;
            line.State = "retrying (" + reason + ")";
        }
    }

    public void Complete(Digest digest, string kind, long size, bool existed)
    {
        lock (_lock)
        {
            Line line = Get(digest, kind);
            line.Size = size;
            line.Done = size;
            line.State = existed ? "already present" : "done";
        }
    }

    public void Finished()
    {
        lock (_lock) _timer?.Dispose();
        Draw();
    }

    public void Dispose()
    {
        lock (_lock) _timer?.Dispose();
    }

    private Line Get(Digest digest, string kind)
    {
        if (!_byDigest.TryGetValue(digest, out Line? line))
        {
            line = new Line { Label = $"{kind,-6} {digest.Short}" };
            _byDigest[digest] = line;
            _lines.Add(line);
            _timer ??= new Timer(_ => Draw(), null, 200, 200);
        }
        return line;
    }

    private void Draw()
    {
        var text = new StringBuilder();
        lock (_lock)
        {
            if (_drawn > 0) text.Append("\x1b[").Append(_drawn).Append('A');
            foreach (Line line in _lines)
            {
                text.Append("\r\x1b[2K").Append(line.Label).Append("  ").Append(line.State.PadRight(12));
                if (line.Size > 0)
                {
                    text.Append("  ").Append(Bar(line.Done, line.Size)).Append("  ")
                        .Append(Sizes.Human(line.Done)).Append('/').Append(Sizes.Human(line.Size));
                    double seconds = Stopwatch.GetElapsedTime(line.StartedAt).TotalSeconds;
                    if (line.State == "downloading" && seconds > 0.2)
                        text.Append("  ").Append(Sizes.Human((long)((line.Done - line.StartBytes) / seconds))).Append("/s");
                }
                text.Append('\n');
            }
            _drawn = _lines.Count;
        }
        _output.Write(text.ToString());
    }

    private static string Bar(long done, long size)
    {
        const int width = 24;
        int filled = size <= 0 ? width : (int)Math.Min(width, done * width / size);
        return "[" + new string('=', filled) + new string(' ', width - filled) + "]";
    }
}
