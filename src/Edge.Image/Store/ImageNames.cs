using System;
using System.Collections.Generic;

namespace Edge.Image.Store;

/// <summary>Looking names up in images.json, the way users type them (short names, tags, digests).</summary>
public static class ImageNames
{
    /// <summary>Adds or replaces the record with the same name.</summary>
    public static void Set(ContentStore store, ImageRecord record) => store.UpdateImages(list =>
    {
        list.RemoveAll(r => r.Name == record.Name);
        list.Add(record);
        return (true, 0);
    });

    /// <summary>
    /// The one image <paramref name="text"/> names in the store (several records of the same image are one);
    /// otherwise an error that says whether the text was not a reference, named nothing, or named several images.
    /// </summary>
    public static ImageRecord FindOne(ContentStore store, string text)
    {
        List<ImageRecord> found = Find(store.Images(), text);
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

    /// <summary>
    /// The records a user's text names: a reference (normalised: "busybox" is docker.io/library/busybox:latest),
    /// a full digest, or a unique prefix of at least 12 hex digits of an image's digest.
    /// </summary>
    public static List<ImageRecord> Find(IReadOnlyList<ImageRecord> images, string text)
    {
        var found = new List<ImageRecord>();
        string hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        bool digestLike = hex.Length >= 12 && hex.Length <= 64 && IsHex(hex);
        if (digestLike)
        {
            foreach (ImageRecord r in images)
                if (r.Digest.StartsWith("sha256:" + hex, StringComparison.Ordinal) || r.Manifest.StartsWith("sha256:" + hex, StringComparison.Ordinal)) found.Add(r);
            if (found.Count > 0) return found;
        }
        if (!ImageReference.TryParse(text, out ImageReference? reference, out _)) return found;
        string name = reference!.ToString();
        foreach (ImageRecord r in images)
            if (r.Name == name || (reference.Digest is not null && reference.Tag is null && SameRepository(r.Name, reference.Name) && (r.Digest == reference.Digest || r.Manifest == reference.Digest)))
                found.Add(r);
        return found;
    }

    private static bool SameRepository(string recordName, string repository) =>
        recordName.Length > repository.Length && recordName.StartsWith(repository, StringComparison.Ordinal) && recordName[repository.Length] is ':' or '@';

    private static bool IsHex(string s)
    {
        foreach (char c in s)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        return true;
    }
}
