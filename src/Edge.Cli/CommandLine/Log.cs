using System;
using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Edge.Linux;

namespace Edge.Cli.CommandLine;

public enum LogFormat { Text, Json }

/// <summary>
/// runc's --log/--log-format contract. containerd's shim and podman read the file back: in JSON it is one
/// object per line, <c>{"level":"error","msg":"...","time":"..."}</c> (logrus's field order), and the last
/// "error" line is what the user is shown. Without --log, messages go to stderr.
/// </summary>
internal sealed class Log
{
    private readonly string? _file;
    private readonly LogFormat _format;
    private readonly Output _output;
    private int _fd = -1;

    public Log(string? file, LogFormat format, bool debug, Output output)
    {
        _file = string.IsNullOrEmpty(file) || file == "/dev/stderr" ? null : file;
        _format = format;
        Debug = debug;
        _output = output;
    }

    /// <summary>
    /// Opens the --log file (append, created if missing) before any work, as runc does: a log that cannot be
    /// written is an error of the command line, not something found out when the first error is lost. Returns
    /// null, or the one-line reason.
    /// </summary>
    public string? Open()
    {
        if (_file is null) return null;
        // O_APPEND: the shim, and other edge processes, append to the same file; each record is one write.
        _fd = Libc.Open(_file, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append | OpenFlags.CloseOnExec, 0x1a4 /* 0644 */);
        return _fd >= 0 ? null : $"--log `{Printable.Short(_file)}`: {ErrnoText.Describe(Marshal.GetLastPInvokeError())}";
    }

    public bool Debug { get; }

    public void Error(string message) => Write("error", message);
    public void Warn(string message) => Write("warning", message);

    public void DebugMessage(string message)
    {
        if (Debug) Write("debug", message);
    }

    private void Write(string level, string message)
    {
        if (_file is null)
        {
            // On a terminal the one-line "edge: ..." form is friendlier than a log record.
            if (level == "error") return; // Program prints errors to stderr itself.
            _output.Error(_format == LogFormat.Json ? Format(level, message) : $"edge: {level}: {message}");
            return;
        }
        if (_fd < 0) return; // Open failed, and the command stopped there
        byte[] line = Encoding.UTF8.GetBytes(Format(level, message) + "\n");
        if (!WriteAll(line)) _output.Error($"edge: cannot write log `{Printable.Short(_file)}`: {ErrnoText.Describe(Marshal.GetLastPInvokeError())}");
    }

    private unsafe bool WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            for (int done = 0; done < data.Length;)
            {
                nint n = Libc.Write(_fd, start + done, (nuint)(data.Length - done));
                if (n < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */) continue;
                if (n <= 0) return false;
                done += (int)n;
            }
        }
        return true;
    }

    private string Format(string level, string message)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);
        if (_format == LogFormat.Text)
            return $"time=\"{time}\" level={level} msg=\"{message.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("level", level);
            writer.WriteString("msg", message);
            writer.WriteString("time", time);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
