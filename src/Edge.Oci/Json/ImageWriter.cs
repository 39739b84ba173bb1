using System.Text.Json;
using Edge.Oci.Image;
using static Edge.Oci.Json.JsonOut;

namespace Edge.Oci.Json;

/// <summary>
/// Writers (see JsonOut) for the image documents edge writes: the manifest it makes for a `docker save`
/// archive (its bytes are its digest), and the index and oci-layout of the archives it saves.
/// </summary>
public static class ImageWriter
{
    public static readonly Write<Manifest> Manifest = WriteManifest;
    public static readonly Write<Index> Index = WriteIndex;
    public static readonly Write<ImageLayout> Layout = WriteImageLayout;

    private static void WriteDescriptor(Utf8JsonWriter w, Descriptor d)
    {
        w.WriteStartObject();
        Str(w, "mediaType"u8, d.MediaType);
        Str(w, "digest"u8, d.Digest);
        w.WriteNumber("size"u8, d.Size);
        Strings(w, "urls"u8, d.Urls);
        StringMap(w, "annotations"u8, d.Annotations);
        Bytes(w, "data"u8, d.Data);
        Obj(w, "platform"u8, d.Platform, WritePlatform);
        Str(w, "artifactType"u8, d.ArtifactType);
        w.WriteEndObject();
    }

    private static void WritePlatform(Utf8JsonWriter w, Platform p)
    {
        w.WriteStartObject();
        Str(w, "architecture"u8, p.Architecture);
        Str(w, "os"u8, p.Os);
        Str(w, "os.version"u8, p.OsVersion);
        Strings(w, "os.features"u8, p.OsFeatures);
        Str(w, "variant"u8, p.Variant);
        w.WriteEndObject();
    }

    private static void WriteManifest(Utf8JsonWriter w, Manifest m)
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion"u8, m.SchemaVersion);
        Str(w, "mediaType"u8, m.MediaType);
        Str(w, "artifactType"u8, m.ArtifactType);
        Obj(w, "config"u8, m.Config, WriteDescriptor);
        List(w, "layers"u8, m.Layers, WriteDescriptor);
        Obj(w, "subject"u8, m.Subject, WriteDescriptor);
        StringMap(w, "annotations"u8, m.Annotations);
        w.WriteEndObject();
    }

    private static void WriteIndex(Utf8JsonWriter w, Index i)
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion"u8, i.SchemaVersion);
        Str(w, "mediaType"u8, i.MediaType);
        Str(w, "artifactType"u8, i.ArtifactType);
        List(w, "manifests"u8, i.Manifests, WriteDescriptor);
        Obj(w, "subject"u8, i.Subject, WriteDescriptor);
        StringMap(w, "annotations"u8, i.Annotations);
        w.WriteEndObject();
    }

    private static void WriteImageLayout(Utf8JsonWriter w, ImageLayout i)
    {
        w.WriteStartObject();
        Str(w, "imageLayoutVersion"u8, i.Version);
        w.WriteEndObject();
    }
}
