using System;
using System.Runtime.InteropServices;
using Edge.Oci.Image;

namespace Edge.Image;

/// <summary>
/// A platform to select from an image index: <c>os/architecture[/variant]</c>, normalised the way containerd
/// does (aarch64 = arm64, x86_64 = amd64, arm64's default variant v8, arm's v7).
/// </summary>
public sealed record PlatformSpec(string Os, string Architecture, string? Variant)
{
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>The platform this binary runs on.</summary>
    public static PlatformSpec Host() => Normalise("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    }, null);

    /// <summary>Parses "linux/arm64/v8", "linux/amd64" or "arm64" (os linux).</summary>
    public static PlatformSpec Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length > 3 || Array.Exists(parts, p => p.Length == 0 || p.Trim() != p))
            throw new ImageException($"invalid platform \"{text}\": expected os/architecture[/variant]");
        return parts.Length switch
        {
            1 => Normalise("linux", parts[0].ToLowerInvariant(), null),
            2 => Normalise(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant(), null),
            _ => Normalise(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant(), parts[2].ToLowerInvariant()),
        };
    }

    public static PlatformSpec Normalise(string os, string architecture, string? variant)
    {
        if (variant == "") variant = null;
        switch (architecture)
        {
            case "x86_64" or "x86-64": architecture = "amd64"; break;
            case "aarch64": architecture = "arm64"; break;
            case "i386" or "i686": architecture = "386"; break;
            case "armhf": architecture = "arm"; variant ??= "v7"; break;
            case "armel": architecture = "arm"; variant ??= "v6"; break;
        }
        if (architecture == "arm64" && variant is "8" or "v8") variant = null; // v8 is arm64's only baseline
        if (architecture == "arm" && variant is not null && !variant.StartsWith('v')) variant = "v" + variant;
        if (architecture == "amd64" && variant == "v1") variant = null;
        return new PlatformSpec(os, architecture, variant);
    }

    /// <summary>
    /// Whether an index entry's platform runs here. A missing variant on this side accepts any entry for the
    /// architecture except arm, where it means v7.
    /// </summary>
    public bool Matches(Platform? platform)
    {
        if (platform is null) return false;
        PlatformSpec other = Normalise(platform.Os, platform.Architecture, platform.Variant);
        if (other.Os != Os || other.Architecture != Architecture) return false;
        if (Variant is null) return Architecture != "arm" || other.Variant is null or "v7";
        return other.Variant == Variant || (Architecture == "arm" && other.Variant is null && Variant == "v7");
    }

    public static string Describe(Platform? platform) =>
        platform is null ? "unknown" : Normalise(platform.Os, platform.Architecture, platform.Variant).ToString();
}
