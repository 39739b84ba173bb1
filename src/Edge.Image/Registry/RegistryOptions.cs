using System;
using System.Collections.Generic;

namespace Edge.Image.Registry;

/// <summary>How the registry client talks: credentials, which hosts may use plain HTTP, retry policy.</summary>
public sealed class RegistryOptions
{
    public CredentialStore Credentials { get; init; } = CredentialStore.Empty;
    /// <summary>Hosts (host[:port]) the user allows plain HTTP for; loopback always may.</summary>
    public IReadOnlyCollection<string> InsecureHosts { get; init; } = Array.Empty<string>();
    /// <summary>Tries per request (and per blob) before giving up on 5xx, 429 and broken connections.</summary>
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>No response headers, or no body bytes, for this long counts as a broken connection.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Less than this many bytes a second over a stall-timeout window counts as a broken connection too.</summary>
    public long MinimumRate { get; init; } = 1024;
    /// <summary>The longest one request may take, from sending it to its last byte (a blob is resumed afterwards).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Token responses larger than this are refused (real ones are a few KiB).</summary>
    public long MaxTokenBytes { get; init; } = 1 << 20;
    /// <summary>Registry error bodies are read up to this much for their message.</summary>
    public long MaxErrorBytes { get; init; } = 64 << 10;
    /// <summary>Manifests and indexes larger than this are refused (containerd uses the same 4 MiB).</summary>
    public long MaxManifestBytes { get; init; } = 4 << 20;
    /// <summary>--debug detail: requests, retries, redirects.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>The delay before try <paramref name="attempt"/> (2, 3, ...): doubling, capped.</summary>
    public TimeSpan Backoff(int attempt)
    {
        double ms = FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxBackoff.TotalMilliseconds));
    }
}
