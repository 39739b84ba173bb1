using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Containers;

namespace Edge.Cli.Commands;

/// <summary>`edge inspect IMAGE`: an image's record, manifest and config as JSON.</summary>
internal static class InspectCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "inspect",
        Summary = "show an image's manifest and config as JSON",
        Usage = "IMAGE",
        MinArgs = 1,
        MaxArgs = 1,
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ContentStore store = context.ImageStore;
        ImageRecord record = ImageNames.FindOne(store, context.Args[0]);
        Digest top = Digest.Parse(record.Digest), manifest = Digest.Parse(record.Manifest);
        byte[] manifestContent = store.Read(manifest, "manifest");
        var parsed = ImageContent.ParseManifest(manifestContent, $"{record.Name}: manifest {manifest}");
        byte[] config = store.Read(Digest.Parse(parsed.Config.Digest), "config");

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("name", record.Name);
            w.WriteString("digest", record.Digest);
            w.WriteString("mediaType", record.MediaType);
            w.WriteString("platform", record.Platform);
            w.WriteString("manifestDigest", record.Manifest);
            w.WriteString("configDigest", parsed.Config.Digest);
            if (top != manifest) { w.WritePropertyName("index"); WriteDocument(w, store.Read(top, "index"), $"{record.Name}: index {top}"); }
            w.WritePropertyName("manifest");
            WriteDocument(w, manifestContent, $"{record.Name}: manifest {manifest}");
            w.WritePropertyName("config");
            WriteDocument(w, config, $"{record.Name}: config {parsed.Config.Digest}");
            w.WriteEndObject();
        }
        context.Output.Write(buffer.WrittenSpan);
        context.Output.Write("\n");
        return 0;
    }

    /// <summary>A stored document copied into the output token by token: re-indented, values as they are.</summary>
    private static void WriteDocument(Utf8JsonWriter writer, byte[] content, string what)
    {
        var reader = new Utf8JsonReader(content);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                    case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                    case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                    case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                    case JsonTokenType.PropertyName: writer.WritePropertyName(reader.GetString()!); break;
                    case JsonTokenType.String: writer.WriteStringValue(reader.GetString()); break;
                    case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                    case JsonTokenType.True or JsonTokenType.False: writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True); break;
                    default: writer.WriteNullValue(); break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new Edge.Oci.Json.OciFormatException(what, null, "invalid JSON", (ex.LineNumber ?? 0) + 1);
        }
    }
}
