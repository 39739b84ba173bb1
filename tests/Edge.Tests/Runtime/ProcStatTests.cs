using System.Diagnostics;
using System.IO;
using Edge.Runtime.State;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>/proc/PID/stat's state and start time, also for a command name with spaces and parentheses.</summary>
public class ProcStatTests
{
    [Fact]
    public void ReadsStateAndStartTimePastAnAwkwardCommandName()
    {
        using var dir = new TempDir();
        string program = dir.Combine("a) (b c");
        File.Copy("/bin/sleep", program);
        using var child = Process.Start(new ProcessStartInfo(program, "30"))!;
        try
        {
            // The reference: field 22 counted from the end of the command name, as proc(5) describes it. Read
            // once sleep has started sleeping (it runs for a moment after exec), so that the state both readers
            // see is the same.
            string stat = "";
            string[] fields = { "" };
            for (int i = 0; i < 500 && fields[0] != "S"; i++)
            {
                if (i > 0) System.Threading.Thread.Sleep(10);
                stat = File.ReadAllText($"/proc/{child.Id}/stat");
                fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            }
            Assert.Contains("(a) (b c)", stat);
            Assert.Equal("S", fields[0]);
            Assert.True(ProcStat.TryRead(child.Id, out char state, out ulong start));
            Assert.Equal(fields[0][0], state);
            Assert.Equal(ulong.Parse(fields[19]), start);
            Assert.True(start > 0);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
        Assert.False(ProcStat.TryRead(child.Id, out _, out _)); // reaped: gone
    }
}
