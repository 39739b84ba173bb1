using System;
using System.Security.Cryptography;

namespace Edge.Image;

/// <summary>
/// A content digest, <c>algorithm:hex</c> (image-spec descriptor.md). sha256 and sha512 are verified; other
/// registered algorithms are refused, because content edge cannot verify must not enter the store.
/// </summary>
public readonly record struct Digest(string Algorithm, string Hex)
{
    public override string ToString() => Algorithm + ":" + Hex;

    /// <summary>The first 12 hex digits, as docker and podman show image and layer ids.</summary>
    public string Short => Hex.Length > 12 ? Hex[..12] : Hex;

    public static Digest Parse(string text, string what = "digest")
    {
        if (!TryParse(text, out Digest digest, out string? problem)) throw new ImageException($"invalid {what} \"{text}\": {problem}");
        return digest;
    }

    public static bool TryParse(string? text, out Digest digest, out string? problem)
    {
        digest = default;
        int colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0) { problem = "expected algorithm:hex"; return false; }
        string algorithm = text[..colon], hex = text[(colon + 1)..];
        int length = algorithm switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (length < 0) { problem = $"unsupported digest algorithm \"{algorithm}\""; return false; }
        if (hex.Length != length) { problem = $"{algorithm} needs {length} hex digits, got {hex.Length}"; return false; }
        foreach (char c in hex)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) { problem = "digits must be lowercase hex"; return false; }
        digest = new Digest(algorithm, hex);
        problem = null;
        return true;
    }

    /// <summary>A streaming hasher for this digest's algorithm.</summary>
    public IncrementalHash NewHasher() => NewHasher(Algorithm);

    public static IncrementalHash NewHasher(string algorithm) => algorithm switch
    {
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
    };

    public static Digest FromHasher(string algorithm, IncrementalHash hasher) =>
        new(algorithm, Convert.ToHexStringLower(hasher.GetHashAndReset()));

    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = "sha256")
    {
        using IncrementalHash hasher = NewHasher(algorithm);
        hasher.AppendData(content);
        return FromHasher(algorithm, hasher);
    }
}
