using System.Collections.Generic;
using System.Text.Json;
using static Edge.Oci.Json.JsonOut;

namespace Edge.Image;

/// <summary>The writer (see JsonOut) of the store's images.json and of `edge images --format json`.</summary>
public static class ImageListWriter
{
    public static readonly Write<ImageList> Images = WriteImageList;
    public static readonly Write<List<ImageRecord>> Records = static (w, records) => Array(w, records, WriteImageRecord);

    private static void WriteImageRecord(Utf8JsonWriter w, ImageRecord i)
    {
        w.WriteStartObject();
        Str(w, "name"u8, i.Name);
        Str(w, "digest"u8, i.Digest);
        Str(w, "mediaType"u8, i.MediaType);
        w.WriteNumber("size"u8, i.Size);
        Str(w, "manifest"u8, i.Manifest);
        Str(w, "platform"u8, i.Platform);
        w.WriteNumber("contentSize"u8, i.ContentSize);
        Str(w, "updated"u8, i.Updated);
        w.WriteEndObject();
    }

    private static void WriteImageList(Utf8JsonWriter w, ImageList i)
    {
        w.WriteStartObject();
        List(w, "images"u8, i.Images, WriteImageRecord);
        w.WriteEndObject();
    }
}
