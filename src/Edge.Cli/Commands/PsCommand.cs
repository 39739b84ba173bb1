using System;
using System.Collections.Generic;
using System.Diagnostics;
using Edge.Cli.CommandLine;
using Edge.Runtime;
using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`ps [--format table|json] ID [ps options]`: the container's processes, from its cgroup.</summary>
internal static class PsCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "ps",
        Summary = "ps displays the processes running inside a container",
        Usage = "<container-id> [ps options]",
        MinArgs = 1,
        RawArgsAfter = 1,
        Options = new[] { OptionSpec.Value("format", "FORMAT", "select one of: table or json (default: \"table\")", "f") },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string format = context.Options.Get("format") ?? "table";
        if (format is not ("table" or "json")) throw new UsageException($"invalid format option \"{format}\"");
        var store = context.Store;
        string id = context.Args[0];
        ContainerRecord record = store.Load(id);
        if (ContainerStatus.Status(record, store.DirectoryOf(id)) == ContainerStatus.Stopped)
            throw new RuntimeException("container not running");
        List<int> pids = record.CgroupPaths is { Count: > 0 } paths ? new Cgroup(paths, record.CgroupUnified).Processes() : new List<int> { record.Pid };
        pids.Sort();

        if (format == "json")
        {
            context.Output.WriteLine("[" + string.Join(",", pids) + "]");
            return 0;
        }

        // Like runc: run ps(1) with the given options (default -ef) and keep the header and our pids' lines.
        var info = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        if (context.Args.Count > 1) for (int i = 1; i < context.Args.Count; i++) info.ArgumentList.Add(context.Args[i]);
        else info.ArgumentList.Add("-ef");
        using Process ps = Process.Start(info) ?? throw new RuntimeException("cannot run ps");
        string output = ps.StandardOutput.ReadToEnd();
        ps.WaitForExit();
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return 0;
        int pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0) throw new RuntimeException("couldn't find PID field in ps output");
        var wanted = new HashSet<int>(pids);
        context.Output.WriteLine(lines[0]);
        for (int i = 1; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], out int pid) && wanted.Contains(pid))
                context.Output.WriteLine(lines[i]);
        }
        return 0;
    }
}
