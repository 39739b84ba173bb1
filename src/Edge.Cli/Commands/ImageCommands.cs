using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Archive;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Image.Store;
using Edge.Linux;

namespace Edge.Cli.Commands;

/// <summary>The image verbs: pull, images, rmi, prune, inspect, load, save (see docs/images.md).</summary>
internal static class ImageCommands
{
    public static readonly CommandSpec Pull = new()
    {
        Name = "pull",
        Summary = "pull an image from a registry into the content store",
        Usage = "IMAGE",
        Description = "   IMAGE is a reference as docker reads it: busybox, host:port/name:tag, name@sha256:...\n" +
                      "   Credentials come from $REGISTRY_AUTH_FILE or ~/.docker/config.json (auths).\n",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("platform", "OS/ARCH[/VARIANT]", "the platform to pull from a multi-platform image (default: this machine's)"),
            OptionSpec.List("insecure-registry", "HOST[:PORT]", "allow plain HTTP to this registry (loopback registries always may)"),
            OptionSpec.Value("max-concurrent-downloads", "N", "layers downloaded at once (default: 3)"),
            OptionSpec.Value("stall-timeout", "SECONDS", "a connection that sends nothing for this long is retried (default: 30)"),
            OptionSpec.Value("min-rate", "BYTES", "a connection slower than this many bytes a second over a stall-timeout is retried (default: 1024)"),
            OptionSpec.Value("request-timeout", "SECONDS", "the longest one request may take, a blob then resumes (default: 3600)"),
            OptionSpec.Flag("quiet", "print only the image name", "q"),
        },
        Run = RunPull,
    };

    public static readonly CommandSpec Images = new()
    {
        Name = "images",
        Summary = "list images in the content store",
        MaxArgs = 0,
        Options = new[]
        {
            OptionSpec.Value("format", "FORMAT", "select one of: table or json (default: \"table\")", "f"),
            OptionSpec.Flag("quiet", "display only image names", "q"),
        },
        Run = RunImages,
    };

    public static readonly CommandSpec Rmi = new()
    {
        Name = "rmi",
        Summary = "remove images from the content store (and blobs no other image uses)",
        Usage = "IMAGE [IMAGE...]",
        MinArgs = 1,
        Run = RunRmi,
    };

    public static readonly CommandSpec Prune = new()
    {
        Name = "prune",
        Summary = "remove blobs and partial downloads no image refers to",
        MaxArgs = 0,
        Run = RunPrune,
    };

    public static readonly CommandSpec Inspect = new()
    {
        Name = "inspect",
        Summary = "show an image's manifest and config as JSON",
        Usage = "IMAGE",
        MinArgs = 1,
        MaxArgs = 1,
        Run = RunInspect,
    };

    public static readonly CommandSpec Load = new()
    {
        Name = "load",
        Summary = "load an image archive (OCI layout or docker save; directory, tar or tar.gz) into the store",
        Usage = "FILE|DIR",
        MinArgs = 0,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("input", "FILE", "read from FILE instead of the argument", "i"),
            OptionSpec.Value("name", "REPOSITORY[:TAG]", "name for images the archive leaves unnamed or names with a tag only"),
            OptionSpec.Value("platform", "OS/ARCH[/VARIANT]", "platform to check a multi-platform image for (default: this machine's)"),
            OptionSpec.Flag("quiet", "print nothing", "q"),
        },
        Run = RunLoad,
    };

    public static readonly CommandSpec Save = new()
    {
        Name = "save",
        Summary = "write an image to an OCI archive (a tar of an OCI image layout)",
        Usage = "IMAGE [FILE]",
        MinArgs = 1,
        MaxArgs = 2,
        Options = new[] { OptionSpec.Value("output", "FILE", "write to FILE", "o") },
        Run = RunSave,
    };

    private static ContentStore Store(CommandContext context) => new(context.Global.Store);

    private static int RunPull(CommandContext context)
    {
        ImageReference reference = ImageReference.Parse(context.Args[0]);
        PlatformSpec platform = context.Options.Get("platform") is string p ? PlatformSpec.Parse(p) : PlatformSpec.Host();
        int concurrency = 3;
        if (context.Options.Get("max-concurrent-downloads") is string c && (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out concurrency) || concurrency < 1))
            throw new UsageException($"invalid --max-concurrent-downloads \"{c}\": expected a positive number");
        bool quiet = context.Options.Flag("quiet");
        int stall = 30;
        if (context.Options.Get("stall-timeout") is string t && (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out stall) || stall < 1))
            throw new UsageException($"invalid --stall-timeout \"{t}\": expected a positive number of seconds");
        long minRate = 1024;
        if (context.Options.Get("min-rate") is string m && (!long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out minRate)))
            throw new UsageException($"invalid --min-rate \"{m}\": expected a number of bytes a second");
        int requestTimeout = 3600;
        if (context.Options.Get("request-timeout") is string rt && (!int.TryParse(rt, NumberStyles.None, CultureInfo.InvariantCulture, out requestTimeout) || requestTimeout < 1))
            throw new UsageException($"invalid --request-timeout \"{rt}\": expected a positive number of seconds");
        var options = new RegistryOptions
        {
            StallTimeout = System.TimeSpan.FromSeconds(stall),
            MinimumRate = minRate,
            RequestTimeout = System.TimeSpan.FromSeconds(requestTimeout),
            Credentials = CredentialStore.Load(),
            InsecureHosts = context.Options.GetAll("insecure-registry"),
            Trace = context.Global.Debug ? message => context.Log.DebugMessage(message) : null,
        };
        using var display = !quiet && Libc.IsATty(1) == 1 ? new PullProgressDisplay(context.Output) : null;
        var puller = new ImagePuller(Store(context), options)
        {
            Concurrency = concurrency,
            Progress = display ?? IPullProgress.Silent,
        };
        ImageRecord record = puller.PullAsync(reference, platform, context.Options.Has("platform")).GetAwaiter().GetResult();
        display?.Finish();
        if (!quiet) context.Output.WriteLine($"Digest: {record.Digest}");
        context.Output.WriteLine(record.Name);
        return 0;
    }

    private static int RunImages(CommandContext context)
    {
        string format = context.Options.Get("format") ?? "table";
        if (format is not ("table" or "json")) throw new UsageException($"invalid format option \"{format}\"");
        List<ImageRecord> images = Store(context).Images();
        if (context.Options.Flag("quiet"))
        {
            foreach (ImageRecord r in images) context.Output.WriteLine(r.Name);
            return 0;
        }
        if (format == "json")
        {
            context.Output.Write(Edge.Oci.Json.OciJson.ToIndentedUtf8(images, ImageJsonContext.Default.ListImageRecord, ' ', 2));
            context.Output.Write("\n");
            return 0;
        }
        var table = new List<string[]> { new[] { "REPOSITORY", "TAG", "DIGEST", "PLATFORM", "SIZE" } };
        foreach (ImageRecord r in images)
        {
            var reference = ImageReference.Parse(r.Name);
            string digest = Digest.TryParse(r.Digest, out Digest d, out _) ? d.Short : r.Digest;
            table.Add(new[] { reference.Name, reference.Tag ?? "<none>", digest, r.Platform ?? "", HumanSize(r.ContentSize) });
        }
        context.Output.Write(Table.Format(table));
        return 0;
    }

    private static int RunRmi(CommandContext context)
    {
        ContentStore store = Store(context);
        int status = 0;
        foreach (string text in context.Args)
        {
            List<ImageRecord> removed = store.UpdateImages(list =>
            {
                List<ImageRecord> found = ImageNames.Find(list, text);
                foreach (ImageRecord r in found) list.Remove(r);
                return (found.Count > 0, found);
            });
            if (removed.Count == 0)
            {
                context.Log.Error($"image \"{text}\" not found");
                context.Output.Error($"edge: image \"{text}\" not found");
                status = 1;
                continue;
            }
            foreach (ImageRecord r in removed) context.Output.WriteLine("Untagged: " + r.Name);
        }
        PruneSnapshots(store);
        GarbageCollector.Result result = GarbageCollector.Prune(store);
        if (result.Blobs > 0) context.Output.WriteLine($"Deleted: {result.Blobs} blobs, {HumanSize(result.Bytes)}");
        return status;
    }

    private static int RunPrune(CommandContext context)
    {
        ContentStore store = Store(context);
        int snapshots = PruneSnapshots(store);
        GarbageCollector.Result result = GarbageCollector.Prune(store);
        context.Output.WriteLine($"Deleted {result.Blobs} blobs, {result.Partials} partial downloads and {snapshots} snapshots; reclaimed {HumanSize(result.Bytes)}");
        return 0;
    }

    /// <summary>Layer snapshots no image names and no container uses.</summary>
    private static int PruneSnapshots(ContentStore store)
    {
        if (!System.IO.Directory.Exists(store.Root)) return 0;
        var images = new List<Edge.Layers.ImageLayers>();
        foreach (ImageRecord r in store.Images())
        {
            try { images.Add(Edge.Layers.ImageLayers.Load(store, r)); }
            catch (ImageException) { } // an image whose content is gone keeps nothing
        }
        return new Edge.Layers.Snapshots.SnapshotStore(store).Prune(images, Edge.Layers.Bundle.ImageContainer.LayersInUse(store));
    }

    private static int RunInspect(CommandContext context)
    {
        ContentStore store = Store(context);
        ImageRecord record = FindOne(store, context.Args[0]);
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

    private static int RunLoad(CommandContext context)
    {
        string source = context.Options.Get("input") ?? (context.Args.Count > 0 ? context.Args[0] : throw new UsageException("load: give an archive: edge load FILE|DIR"));
        var loader = new ArchiveLoader(Store(context))
        {
            Platform = context.Options.Get("platform") is string p ? PlatformSpec.Parse(p) : PlatformSpec.Host(),
        };
        List<ImageRecord> records = loader.Load(source, context.Options.Get("name"));
        if (!context.Options.Flag("quiet"))
            foreach (ImageRecord r in records) context.Output.WriteLine($"Loaded image: {r.Name}");
        return 0;
    }

    private static int RunSave(CommandContext context)
    {
        string? file = context.Options.Get("output") ?? (context.Args.Count > 1 ? context.Args[1] : null);
        if (file is null) throw new UsageException("save: give an output file: edge save IMAGE FILE");
        ContentStore store = Store(context);
        ArchiveSaver.Save(store, FindOne(store, context.Args[0]), file);
        return 0;
    }

    private static ImageRecord FindOne(ContentStore store, string text)
    {
        List<ImageRecord> found = ImageNames.Find(store.Images(), text);
        if (found.Count == 0)
        {
            if (!ImageReference.TryParse(text, out _, out string? problem) && !(text.Length >= 12 && !text.Contains('/')))
                throw new ImageException($"invalid image reference \"{text}\": {problem}");
            throw new ImageException($"image \"{text}\" not found in the store {store.Root}");
        }
        if (found.Count > 1 && found.Exists(r => r.Digest != found[0].Digest))
            throw new ImageException($"\"{text}\" names more than one image: {string.Join(", ", found.ConvertAll(r => r.Name))}");
        return found[0];
    }

    /// <summary>Sizes as docker prints them: decimal units, three significant digits.</summary>
    public static string HumanSize(long bytes)
    {
        string[] units = { "B", "kB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1) { value /= 1000; unit++; }
        return unit == 0 ? $"{bytes}B" : value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0", CultureInfo.InvariantCulture) + units[unit];
    }
}
