using System.Text.Json;
using Edge.Oci.Image;
using static Edge.Oci.Json.FastJson;

namespace Edge.Oci.Json;

/// <summary>
/// The reader of the image documents (see <see cref="FastJson"/>): the manifest and the image config, which
/// `edge run IMAGE` reads every time, and for pulls and archives the index and the oci-layout file.
/// </summary>
public static class ImageReader
{
    public static readonly Read<Manifest> Manifest = ReadManifest;
    public static readonly Read<Index> Index = ReadIndex;
    public static readonly Read<ImageConfig> Config = ReadImageConfig;
    public static readonly Read<ImageLayout> Layout = ReadLayout;

    private static ImageLayout ReadLayout(ref Utf8JsonReader r)
    {
        var l = new ImageLayout { Version = null! };
        bool version = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "imageLayoutVersion"u8)) { l.Version = Str(ref r); version = true; }
            else Skip(ref r);
        }
        Require(version, "imageLayoutVersion");
        return l;
    }

    private static Manifest ReadManifest(ref Utf8JsonReader r)
    {
        var m = new Manifest { SchemaVersion = 0, Config = null!, Layers = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "schemaVersion"u8)) { m.SchemaVersion = I32(ref r); seen |= 1; }
            else if (Is(ref r, "mediaType"u8)) m.MediaType = NStr(ref r);
            else if (Is(ref r, "artifactType"u8)) m.ArtifactType = NStr(ref r);
            else if (Is(ref r, "config"u8)) { m.Config = ReadDescriptor(ref r); seen |= 2; }
            else if (Is(ref r, "layers"u8)) { m.Layers = Items(ref r, ReadDescriptor); seen |= 4; }
            else if (Is(ref r, "subject"u8)) m.Subject = Maybe(ref r, ReadDescriptor);
            else if (Is(ref r, "annotations"u8)) m.Annotations = StringMap(ref r);
            else Skip(ref r);
        }
        Require(seen, "schemaVersion", "config", "layers");
        return m;
    }

    private static Index ReadIndex(ref Utf8JsonReader r)
    {
        var i = new Index { SchemaVersion = 0, Manifests = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "schemaVersion"u8)) { i.SchemaVersion = I32(ref r); seen |= 1; }
            else if (Is(ref r, "mediaType"u8)) i.MediaType = NStr(ref r);
            else if (Is(ref r, "artifactType"u8)) i.ArtifactType = NStr(ref r);
            else if (Is(ref r, "manifests"u8)) { i.Manifests = Items(ref r, ReadDescriptor); seen |= 2; }
            else if (Is(ref r, "subject"u8)) i.Subject = Maybe(ref r, ReadDescriptor);
            else if (Is(ref r, "annotations"u8)) i.Annotations = StringMap(ref r);
            else Skip(ref r);
        }
        Require(seen, "schemaVersion", "manifests");
        return i;
    }

    private static Descriptor ReadDescriptor(ref Utf8JsonReader r)
    {
        var d = new Descriptor { MediaType = null!, Digest = null!, Size = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "mediaType"u8)) { d.MediaType = Str(ref r); seen |= 1; }
            else if (Is(ref r, "digest"u8)) { d.Digest = Str(ref r); seen |= 2; }
            else if (Is(ref r, "size"u8)) { d.Size = I64(ref r); seen |= 4; }
            else if (Is(ref r, "urls"u8)) d.Urls = Strings(ref r);
            else if (Is(ref r, "annotations"u8)) d.Annotations = StringMap(ref r);
            else if (Is(ref r, "data"u8)) d.Data = NBytes(ref r);
            else if (Is(ref r, "platform"u8)) d.Platform = Maybe(ref r, ReadPlatform);
            else if (Is(ref r, "artifactType"u8)) d.ArtifactType = NStr(ref r);
            else Skip(ref r);
        }
        Require(seen, "mediaType", "digest", "size");
        return d;
    }

    private static Platform ReadPlatform(ref Utf8JsonReader r)
    {
        var p = new Platform { Architecture = null!, Os = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "architecture"u8)) { p.Architecture = Str(ref r); seen |= 1; }
            else if (Is(ref r, "os"u8)) { p.Os = Str(ref r); seen |= 2; }
            else if (Is(ref r, "os.version"u8)) p.OsVersion = NStr(ref r);
            else if (Is(ref r, "os.features"u8)) p.OsFeatures = Strings(ref r);
            else if (Is(ref r, "variant"u8)) p.Variant = NStr(ref r);
            else Skip(ref r);
        }
        Require(seen, "architecture", "os");
        return p;
    }

    private static ImageConfig ReadImageConfig(ref Utf8JsonReader r)
    {
        var c = new ImageConfig { Architecture = null!, Os = null!, RootFs = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "created"u8)) c.Created = NStr(ref r);
            else if (Is(ref r, "author"u8)) c.Author = NStr(ref r);
            else if (Is(ref r, "architecture"u8)) { c.Architecture = Str(ref r); seen |= 1; }
            else if (Is(ref r, "os"u8)) { c.Os = Str(ref r); seen |= 2; }
            else if (Is(ref r, "os.version"u8)) c.OsVersion = NStr(ref r);
            else if (Is(ref r, "os.features"u8)) c.OsFeatures = Strings(ref r);
            else if (Is(ref r, "variant"u8)) c.Variant = NStr(ref r);
            else if (Is(ref r, "config"u8)) c.Config = Maybe(ref r, ReadContainerConfig);
            else if (Is(ref r, "rootfs"u8)) { c.RootFs = ReadRootFs(ref r); seen |= 4; }
            else if (Is(ref r, "history"u8)) c.History = List(ref r, ReadHistory);
            else Skip(ref r);
        }
        Require(seen, "architecture", "os", "rootfs");
        return c;
    }

    private static ContainerConfig ReadContainerConfig(ref Utf8JsonReader r)
    {
        var c = new ContainerConfig();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "User"u8)) c.User = NStr(ref r);
            else if (Is(ref r, "ExposedPorts"u8)) c.ExposedPorts = Map(ref r, ReadEmptyObject);
            else if (Is(ref r, "Env"u8)) c.Env = Strings(ref r);
            else if (Is(ref r, "Entrypoint"u8)) c.Entrypoint = Strings(ref r);
            else if (Is(ref r, "Cmd"u8)) c.Cmd = Strings(ref r);
            else if (Is(ref r, "Volumes"u8)) c.Volumes = Map(ref r, ReadEmptyObject);
            else if (Is(ref r, "WorkingDir"u8)) c.WorkingDir = NStr(ref r);
            else if (Is(ref r, "Labels"u8)) c.Labels = StringMap(ref r);
            else if (Is(ref r, "StopSignal"u8)) c.StopSignal = NStr(ref r);
            else if (Is(ref r, "ArgsEscaped"u8)) c.ArgsEscaped = Bool(ref r);
            else Skip(ref r);
        }
        return c;
    }

    private static RootFs ReadRootFs(ref Utf8JsonReader r)
    {
        var f = new RootFs { Type = null!, DiffIds = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "type"u8)) { f.Type = Str(ref r); seen |= 1; }
            else if (Is(ref r, "diff_ids"u8)) { f.DiffIds = RequiredStrings(ref r); seen |= 2; }
            else Skip(ref r);
        }
        Require(seen, "type", "diff_ids");
        return f;
    }

    private static History ReadHistory(ref Utf8JsonReader r)
    {
        var h = new History();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "created"u8)) h.Created = NStr(ref r);
            else if (Is(ref r, "created_by"u8)) h.CreatedBy = NStr(ref r);
            else if (Is(ref r, "author"u8)) h.Author = NStr(ref r);
            else if (Is(ref r, "comment"u8)) h.Comment = NStr(ref r);
            else if (Is(ref r, "empty_layer"u8)) h.EmptyLayer = Bool(ref r);
            else Skip(ref r);
        }
        return h;
    }

    /// <summary>The {} of ExposedPorts and Volumes: whatever it holds is ignored, as by the serializer.</summary>
    private static EmptyObject ReadEmptyObject(ref Utf8JsonReader r)
    {
        for (Begin(ref r); Property(ref r);) Skip(ref r);
        return new EmptyObject();
    }
}
