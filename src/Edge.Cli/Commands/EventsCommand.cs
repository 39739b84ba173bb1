using System;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using Edge.Cli.CommandLine;
using Edge.Runtime;
using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>
/// `events [--stats] [--interval D] ID`: runc's event stream, one JSON object per line. `--stats` prints one
/// stats event and exits; otherwise a stats event every interval, and an "oom" event when the memory cgroup's
/// OOM-kill count grows (polled at the interval; runc waits on an eventfd), until the container stops.
/// </summary>
internal static class EventsCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "events",
        Summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("interval", "DURATION", "set the stats collection interval (default: 5s)"),
            OptionSpec.Flag("stats", "display the container's stats then exit"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string id = context.Args[0];
        ContainerStore store = context.Store;
        ContainerRecord record = store.Load(id);
        if (ContainerStatus.Status(record, store.DirectoryOf(id)) == ContainerStatus.Stopped)
            throw new RuntimeException("container not running");
        if (record.CgroupPaths is not { Count: > 0 } dirs) throw new RuntimeException($"container {id} has no cgroup");
        TimeSpan interval = Interval(context.Options.Get("interval") ?? "5s");

        Emit(context, "stats", id, w => CgroupStats.Write(w, dirs, record.CgroupUnified));
        if (context.Options.Flag("stats")) return 0;
        long ooms = OomKills(dirs);
        while (ContainerStatus.Status(store.Load(id), store.DirectoryOf(id)) != ContainerStatus.Stopped)
        {
            Thread.Sleep(interval);
            long now = OomKills(dirs);
            if (now > ooms) Emit(context, "oom", id, null);
            ooms = now;
            if (ContainerStatus.Status(store.Load(id), store.DirectoryOf(id)) == ContainerStatus.Stopped) break;
            Emit(context, "stats", id, w => CgroupStats.Write(w, dirs, record.CgroupUnified));
        }
        return 0;
    }

    private static void Emit(CommandContext context, string type, string id, Action<Utf8JsonWriter>? data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("id", id);
            if (data is not null)
            {
                w.WritePropertyName("data");
                data(w);
            }
            w.WriteEndObject();
        }
        context.Output.Write(buffer.WrittenSpan);
        context.Output.Write("\n");
    }

    /// <summary>The oom_kill counter of memory.oom_control (v1) or memory.events (v2).</summary>
    private static long OomKills(System.Collections.Generic.IReadOnlyList<string> dirs)
    {
        foreach (string dir in dirs)
            foreach (string file in new[] { "memory.oom_control", "memory.events" })
            {
                string path = System.IO.Path.Combine(dir, file);
                if (!System.IO.File.Exists(path)) continue;
                foreach (string line in System.IO.File.ReadAllLines(path))
                    if (line.StartsWith("oom_kill ", StringComparison.Ordinal) && long.TryParse(line[9..], out long n)) return n;
            }
        return 0;
    }

    /// <summary>Go durations as runc takes them: 5s, 500ms, 1m.</summary>
    private static TimeSpan Interval(string text)
    {
        (string Suffix, double Ms)[] units = { ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000) };
        foreach (var (suffix, ms) in units)
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
                && !(suffix == "s" && text.EndsWith("ms", StringComparison.Ordinal)))
                return TimeSpan.FromMilliseconds(value * ms);
        throw new UsageException($"invalid value \"{text}\" for --interval: expected a duration like 5s or 500ms");
    }
}
