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
        string? hooks = record.Hooks is null ? null : Encoding.UTF8.GetString(OciJson.ToUtf8(record.Hooks, SpecWriter.Hooks));
        // Sized by a dry pass first: a StringBuilder that grows runs code a record that fits never does, so which
        // code `create` ran would depend on the id's and paths' lengths, and the layout lists made from a
        // profile (toolchain/hot-methods.sh) would miss some of it (bench/results/size.md, tenth round).
        var text = new StringBuilder(Lines(null, record, hooks));
        Lines(text, record, hooks);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Appends the record's lines to TEXT; with TEXT null only counts. Returns the most characters
    /// they take (escaping at most doubles a value).</summary>
    private static int Lines(StringBuilder? text, ContainerRecord record, string? hooks)
    {
        text?.Append(Header).Append('\n');
        int length = Header.Length + 1;
        length += Line(text, "id", record.Id);
        length += Line(text, "bundle", record.Bundle);
        length += Line(text, "rootfs", record.Rootfs);
        length += Line(text, "pid", record.Pid.ToString(CultureInfo.InvariantCulture));
        length += Line(text, "pidStartTime", record.PidStartTime.ToString(CultureInfo.InvariantCulture));
        length += Line(text, "created", record.Created);
        if (record.Owner is not null) length += Line(text, "owner", record.Owner);
        length += Line(text, "cgroupUnified", record.CgroupUnified ? "true" : "false");
        if (record.CgroupPaths is not null)
            foreach (string path in record.CgroupPaths) length += Line(text, "cgroupPath", path);
        if (record.SystemdUnit is not null) length += Line(text, "systemdUnit", record.SystemdUnit);
        if (record.Annotations is not null)
        {
            length += Line(text, "annotations", record.Annotations.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in record.Annotations)
            {
                length += Line(text, "annotationKey", key);
                length += Line(text, "annotationValue", value);
            }
        }
        if (hooks is not null) length += Line(text, "hooks", hooks);
        return length;
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

    private static int Line(StringBuilder? text, string key, string value)
    {
        int most = key.Length + 2 + 2 * value.Length; // "key=", the value escaped, "\n"
        if (text is null) return most;
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
        return most;
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
