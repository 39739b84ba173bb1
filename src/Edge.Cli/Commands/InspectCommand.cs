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
            if (top != manifest) { w.WritePropertyName("index"); WriteDocument(w, store.Read(top, "index")); }
            w.WritePropertyName("manifest");
            WriteDocument(w, manifestContent);
            w.WritePropertyName("config");
            WriteDocument(w, config);
            w.WriteEndObject();
        }
        context.Output.Write(buffer.WrittenSpan);
        context.Output.Write("\n");
        return 0;
    }

    private static void WriteDocument(Utf8JsonWriter writer, byte[] content)
    {
        using JsonDocument document = JsonDocument.Parse(content);
        document.RootElement.WriteTo(writer);
    }
}
