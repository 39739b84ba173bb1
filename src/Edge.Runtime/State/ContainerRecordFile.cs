using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Edge.Oci.Json;

namespace Edge.Runtime.State;

/// <summary>
/// ROOT/ID/state: the container record as "key=value" lines. Not JSON on purpose: System.Text.Json's first use
/// in a process costs about 2.5 ms in Native AOT (its converters and attribute lookups use reflection), and
/// `start`, `kill`, `delete`, `pause` and `resume` need nothing else from it. Values escape backslash, newline
/// and carriage return. Only hooks, which few containers have, are kept as JSON (one line).
/// </summary>
public static class ContainerRecordFile
{
    private const string Header = "edge-container-record 1";

    public static byte[] Write(ContainerRecord record)
    {
        var text = new StringBuilder(512);
        text.Append(Header).Append('\n');
        Line(text, "id", record.Id);
        Line(text, "bundle", record.Bundle);
        Line(text, "rootfs", record.Rootfs);
        Line(text, "pid", record.Pid.ToString(CultureInfo.InvariantCulture));
        Line(text, "pidStartTime", record.PidStartTime.ToString(CultureInfo.InvariantCulture));
        Line(text, "created", record.Created);
        if (record.Owner is not null) Line(text, "owner", record.Owner);
        Line(text, "cgroupUnified", record.CgroupUnified ? "true" : "false");
        foreach (string path in record.CgroupPaths ?? new List<string>()) Line(text, "cgroupPath", path);
        if (record.SystemdUnit is not null) Line(text, "systemdUnit", record.SystemdUnit);
        if (record.Annotations is not null)
        {
            Line(text, "annotations", record.Annotations.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in record.Annotations)
            {
                Line(text, "annotationKey", key);
                Line(text, "annotationValue", value);
            }
        }
        if (record.Hooks is not null)
            Line(text, "hooks", Encoding.UTF8.GetString(OciJson.ToUtf8(record.Hooks, SpecWriter.Hooks)));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static ContainerRecord Read(ReadOnlySpan<byte> bytes, string file)
    {
        // Walked line by line in place: every state, kill, delete and list reads records, and each line's
        // own strings would be fresh heap pages to fault in.
        ReadOnlySpan<char> text = Encoding.UTF8.GetString(bytes);
        int lineNumber = 0;
        string? id = null, bundle = null, rootfs = null, created = null, owner = null, pendingKey = null, unit = null;
        int pid = 0;
        ulong startTime = 0;
        bool unified = false;
        var paths = new List<string>();
        Dictionary<string, string>? annotations = null;
        Oci.RuntimeSpec.Hooks? hooks = null;
        foreach (Range range in text.Split('\n'))
        {
            ReadOnlySpan<char> line = text[range];
            if (++lineNumber == 1)
            {
                if (!line.SequenceEqual(Header)) throw new RuntimeException($"{file}: not an edge container record");
                continue;
            }
            if (line.Length == 0) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new RuntimeException($"{file}: line {lineNumber}: expected key=value");
            ReadOnlySpan<char> raw = line[(eq + 1)..];
            switch (line[..eq])
            {
                case "id": id = Unescape(raw); break;
                case "bundle": bundle = Unescape(raw); break;
                case "rootfs": rootfs = Unescape(raw); break;
                case "pid": pid = int.Parse(raw, CultureInfo.InvariantCulture); break;
                case "pidStartTime": startTime = ulong.Parse(raw, CultureInfo.InvariantCulture); break;
                case "created": created = Unescape(raw); break;
                case "owner": owner = Unescape(raw); break;
                case "cgroupUnified": unified = raw.SequenceEqual("true"); break;
                case "cgroupPath": paths.Add(Unescape(raw)); break;
                case "systemdUnit": unit = Unescape(raw); break;
                case "annotations": annotations = new Dictionary<string, string>(StringComparer.Ordinal); break;
                case "annotationKey": pendingKey = Unescape(raw); break;
                case "annotationValue":
                    if (annotations is null || pendingKey is null) throw new RuntimeException($"{file}: line {lineNumber}: annotation value without a key");
                    annotations[pendingKey] = Unescape(raw);
                    pendingKey = null;
                    break;
                case "hooks": hooks = OciJson.Parse(Encoding.UTF8.GetBytes(Unescape(raw)), SpecReader.Hooks, file + ": hooks"); break;
                default: break; // a later edge's field: ignored, as unknown JSON fields were
            }
        }
        if (id is null || bundle is null || rootfs is null || created is null) throw new RuntimeException($"{file}: incomplete container record");
        return new ContainerRecord
        {
            Id = id, Bundle = bundle, Rootfs = rootfs, Pid = pid, PidStartTime = startTime, Created = created, Owner = owner,
            Annotations = annotations, CgroupPaths = paths.Count > 0 ? paths : null, CgroupUnified = unified, SystemdUnit = unit, Hooks = hooks,
        };
    }

    private static void Line(StringBuilder text, string key, string value)
    {
        text.Append(key).Append('=');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                default: text.Append(c); break;
            }
        }
        text.Append('\n');
    }

    private static string Unescape(ReadOnlySpan<char> value)
    {
        if (value.IndexOf('\\') < 0) return value.ToString();
        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length) { text.Append(value[i]); continue; }
            char next = value[++i];
            text.Append(next switch { 'n' => '\n', 'r' => '\r', _ => next });
        }
        return text.ToString();
    }
}
