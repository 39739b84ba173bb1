using System;
using System.Diagnostics;
using System.Linq;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Limits;

/// <summary>`edge events`: the stats event in runc's shape, and an OOM event when the memory limit kills.</summary>
[Collection("containers")]
public class EventsTests
{
    private static string Id(string name) => $"ev-{name}-{Environment.ProcessId}";

    [Fact]
    public void StatsHaveRuncsShape()
    {
        using var bundle = new TestBundle("sleep", "30");
        bundle.Save();
        JsonNode Stats(TestRuntime r, string id)
        {
            Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
            try
            {
                ProcessResult events = r.Cli("events", "--stats", id);
                Assert.True(events.ExitCode == 0, events.ToString());
                return JsonNode.Parse(events.Stdout)!;
            }
            finally
            {
                r.Cli("delete", "--force", id);
            }
        }
        using TestRuntime edge = TestRuntime.Edge(), runc = TestRuntime.Runc();
        JsonNode mine = Stats(edge, Id("edge")), theirs = Stats(runc, Id("runc"));
        Assert.Equal("stats", (string)mine["type"]!);
        Assert.Equal(Id("edge"), (string)mine["id"]!);
        foreach (string section in new[] { "cpu", "memory", "pids", "blkio", "hugetlb" })
            Assert.NotNull(theirs["data"]![section]);
        foreach (string path in new[] { "cpu.usage", "memory", "memory.usage", "pids" })
        {
            JsonObject a = Walk(mine["data"]!, path), b = Walk(theirs["data"]!, path);
            Assert.Equal(b.Select(p => p.Key).Where(k => k != "cache").OrderBy(k => k), a.Select(p => p.Key).Where(k => k != "cache").OrderBy(k => k));
        }
        Assert.Equal(1, (int)mine["data"]!["pids"]!["current"]!);
        Assert.True((long)mine["data"]!["memory"]!["usage"]!["usage"]! > 0);
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public async System.Threading.Tasks.Task OomIsReported()
    {
        using var bundle = new TestBundle("sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 30");
        bundle.Linux["resources"]!["memory"] = new JsonObject { ["limit"] = 16 << 20 };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("oom");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        try
        {
            var info = new ProcessStartInfo(EdgeProcess.Binary) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in new[] { "--root", r.Root, "events", "--interval", "200ms", id }) info.ArgumentList.Add(a);
            using Process events = Process.Start(info)!;
            bool sawOom = false;
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!sawOom && DateTime.UtcNow < deadline)
            {
                using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(5));
                string? line = await events.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null) break;
                sawOom = (string?)JsonNode.Parse(line)!["type"] == "oom";
            }
            events.Kill();
            events.WaitForExit();
            Assert.True(sawOom, "no oom event");
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    private static JsonObject Walk(JsonNode node, string path)
    {
        foreach (string part in path.Split('.')) node = node[part]!;
        return node.AsObject();
    }
}
