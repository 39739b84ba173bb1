using System;
using System.IO;
using System.Text;

namespace Edge.Cli.Cli;

/// <summary>
/// Raw UTF-8 writes to fds 1 and 2. Avoids Console's TextWriter and encoding set-up, which would cost
/// start-up time on every short-lived runtime call.
/// </summary>
internal sealed class Output : IDisposable
{
    private readonly Stream _stdout;
    private readonly Stream _stderr;

    public Output(Stream stdout, Stream stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
    }

    public static Output Standard() => new(Console.OpenStandardOutput(), Console.OpenStandardError());

    public void Write(ReadOnlySpan<byte> utf8) => _stdout.Write(utf8);

    public void Write(string text) => WriteTo(_stdout, text);

    public void WriteLine(string text) => WriteTo(_stdout, text + "\n");

    public void Error(string text) => WriteTo(_stderr, text + "\n");

    private static void WriteTo(Stream stream, string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] buffer = new byte[max];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        stream.Write(buffer, 0, n);
    }

    public void Flush()
    {
        _stdout.Flush();
        _stderr.Flush();
    }

    public void Dispose() => Flush();
}
