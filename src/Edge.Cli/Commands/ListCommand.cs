using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>`list [--format table|json] [-q]`, in runc's columns and JSON fields.</summary>
internal static class ListCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "list",
        Summary = "lists containers started by edge with the given root",
        MaxArgs = 0,
        Options = new[]
        {
            OptionSpec.Value("format", "FORMAT", "select one of: table or json (default: \"table\")", "f"),
            OptionSpec.Flag("quiet", "display only container IDs", "q"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string format = context.Options.Get("format") ?? "table";
        if (format is not ("table" or "json")) throw new UsageException($"invalid format option \"{format}\"");
        var store = context.Store;
        var rows = new List<(ContainerRecord Record, string Status)>();
        foreach (string id in store.Ids())
        {
            ContainerRecord record;
            try { record = store.Load(id); }
            catch (Edge.Oci.Json.OciFormatException) { continue; } // being written or removed right now
            rows.Add((record, ContainerStatus.Status(record, store.DirectoryOf(id))));
        }

        if (context.Options.Flag("quiet"))
        {
            foreach (var row in rows) context.Output.WriteLine(row.Record.Id);
            return 0;
        }
        if (format == "json")
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartArray();
                foreach (var (r, status) in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("ociVersion", Edge.Oci.RuntimeSpec.Spec.CurrentVersion);
                    w.WriteString("id", r.Id);
                    w.WriteNumber("pid", status == ContainerStatus.Stopped ? 0 : r.Pid);
                    w.WriteString("status", status);
                    w.WriteString("bundle", r.Bundle);
                    w.WriteString("rootfs", r.Rootfs);
                    w.WriteString("created", r.Created);
                    if (r.Annotations is { Count: > 0 })
                    {
                        w.WriteStartObject("annotations");
                        foreach (var (k, v) in r.Annotations) w.WriteString(k, v);
                        w.WriteEndObject();
                    }
                    w.WriteString("owner", r.Owner ?? "");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            context.Output.Write(buffer.WrittenSpan);
            context.Output.Write("\n");
            return 0;
        }

        var table = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        foreach (var (r, status) in rows)
            table.Add(new[] { r.Id, status == ContainerStatus.Stopped ? "0" : r.Pid.ToString(), status, r.Bundle, r.Created, r.Owner ?? "" });
        context.Output.Write(Table.Format(table));
        return 0;
    }
}

/// <summary>Go's tabwriter as runc configures it: min width 12, padding 1, space-padded columns.</summary>
internal static class Table
{
    public static string Format(List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
            for (int c = 0; c < columns - 1; c++) widths[c] = System.Math.Max(widths[c], System.Math.Max(12, row[c].Length + 1));
        var text = new StringBuilder();
        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++)
                text.Append(c == columns - 1 ? row[c] : row[c].PadRight(widths[c]));
            text.Append('\n');
        }
        return text.ToString();
    }
}
