using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Edge.Cli.Cli;

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

    public Log(string? file, LogFormat format, bool debug, Output output)
    {
        _file = string.IsNullOrEmpty(file) || file == "/dev/stderr" ? null : file;
        _format = format;
        Debug = debug;
        _output = output;
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
        try
        {
            using var stream = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            byte[] line = Encoding.UTF8.GetBytes(Format(level, message) + "\n");
            stream.Write(line);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _output.Error($"edge: cannot write log `{_file}`: {Edge.Linux.ErrorText.Describe(ex)}");
        }
    }

    private string Format(string level, string message)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);
        if (_format == LogFormat.Text)
            return $"time=\"{time}\" level={level} msg=\"{message.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
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
