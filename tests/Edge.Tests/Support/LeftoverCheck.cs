using System;
using System.IO;
using System.Linq;

namespace Edge.Tests.Support;

/// <summary>
/// After every container test: no test container's cgroup directory, mount or process is left on the host.
/// A failure here fails the run.
/// </summary>
public sealed class LeftoverCheck : IDisposable
{
    private static readonly string Marker = $"-{Environment.ProcessId}";
    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Reported = new();

    /// <summary>Something a test left behind that its own clean-up found (see TestRuntime.Dispose).</summary>
    public static void Report(string leftover) => Reported.Enqueue(leftover);

    public void Dispose()
    {
        string leftovers = Find();
        if (leftovers.Length > 0) throw new InvalidOperationException("containers left behind by the tests:\n" + leftovers);
    }

    public static string Find()
    {
        var found = new System.Text.StringBuilder();
        foreach (string leftover in Reported) found.AppendLine(leftover);
        foreach (string hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            foreach (string dir in Directory.EnumerateDirectories(hierarchy, "*", SearchOption.AllDirectories).Where(d => d.EndsWith(Marker, StringComparison.Ordinal)))
                found.AppendLine("cgroup " + dir);
        }
        foreach (string line in File.ReadAllLines("/proc/self/mountinfo"))
            if (line.Contains("edge-bundle-", StringComparison.Ordinal) || line.Contains("edge-store-", StringComparison.Ordinal)) found.AppendLine("mount " + line);
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("edge-bundle-", StringComparison.Ordinal)) found.AppendLine("process " + Path.GetFileName(proc) + ": " + cmdline);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found.ToString();
    }
}
