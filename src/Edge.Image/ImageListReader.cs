using System.Text.Json;
using static Edge.Oci.Json.FastJson;

namespace Edge.Image;

/// <summary>
/// The reader of the store's images.json, which `edge run IMAGE` reads every time (see FastJson).
/// </summary>
public static class ImageListReader
{
    public static readonly Read<ImageList> Images = ReadList;

    private static ImageList ReadList(ref Utf8JsonReader r)
    {
        var list = new ImageList();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "images"u8)) list.Images = Items(ref r, ReadRecord);
            else Skip(ref r);
        }
        return list;
    }

    private static ImageRecord ReadRecord(ref Utf8JsonReader r)
    {
        var i = new ImageRecord { Name = null!, Digest = null!, MediaType = null!, Manifest = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "name"u8)) { i.Name = Str(ref r); seen |= 1; }
            else if (Is(ref r, "digest"u8)) { i.Digest = Str(ref r); seen |= 2; }
            else if (Is(ref r, "mediaType"u8)) { i.MediaType = Str(ref r); seen |= 4; }
            else if (Is(ref r, "size"u8)) i.Size = I64(ref r);
            else if (Is(ref r, "manifest"u8)) { i.Manifest = Str(ref r); seen |= 8; }
            else if (Is(ref r, "platform"u8)) i.Platform = NStr(ref r);
            else if (Is(ref r, "contentSize"u8)) i.ContentSize = I64(ref r);
            else if (Is(ref r, "updated"u8)) i.Updated = NStr(ref r);
            else Skip(ref r);
        }
        Require(seen, "name", "digest", "mediaType", "manifest");
        return i;
    }
}
