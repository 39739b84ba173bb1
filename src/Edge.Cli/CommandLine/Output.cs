using System;
using System.Text;
using Edge.Linux;

namespace Edge.Cli.CommandLine;

/// <summary>Output for the CLI: UTF-8 straight to fds 1 and 2 (see <see cref="FdWriter"/> for why not Console).</summary>
internal class Output
{
    public static Output Standard() => new();

    public void Write(ReadOnlySpan<byte> utf8) => Emit(1, utf8);

    public void Write(string text) => WriteText(1, text);

    public void WriteLine(string text) => WriteText(1, text + "\n");

    public void Error(string text) => WriteText(2, text + "\n");

    protected virtual void Emit(int fd, ReadOnlySpan<byte> utf8) => FdWriter.TryWriteAll(fd, utf8, out _);

    private void WriteText(int fd, string text)
    {
        byte[] buffer = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        Emit(fd, buffer.AsSpan(0, n));
    }
}
