using System;
using System.IO;
using System.Text;
using Edge.Oci.Json;

namespace Edge.Image.Registry;

/// <summary>A user name and secret for one registry host.</summary>
public sealed record Credential(string Username, string Password);

/// <summary>
/// Registry credentials from docker's or podman's auth file: <c>$REGISTRY_AUTH_FILE</c>, else
/// <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>. Only the <c>auths</c> entries are
/// read; credential helpers (credsStore) are not run.
/// </summary>
public sealed class CredentialStore
{
    private readonly AuthFile _file;

    private CredentialStore(AuthFile file, string? path)
    {
        _file = file;
        Path = path;
    }

    public string? Path { get; }

    public static CredentialStore Empty { get; } = new(new AuthFile(), null);

    public static CredentialStore Load()
    {
        string? path = Environment.GetEnvironmentVariable("REGISTRY_AUTH_FILE");
        if (string.IsNullOrEmpty(path))
        {
            string? dockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            string? home = Environment.GetEnvironmentVariable("HOME");
            path = !string.IsNullOrEmpty(dockerConfig) ? System.IO.Path.Combine(dockerConfig, "config.json")
                : !string.IsNullOrEmpty(home) ? System.IO.Path.Combine(home, ".docker", "config.json") : null;
            if (path is null || !File.Exists(path)) return Empty;
        }
        return FromFile(path);
    }

    public static CredentialStore FromFile(string path) => new(OciJson.ReadFile(path, ToolDocumentReader.AuthFile), path);

    /// <summary>The credential for a registry host (host[:port]) or null. Docker Hub has several spellings.</summary>
    public Credential? Find(string host)
    {
        if (_file.Auths is null) return null;
        foreach (var (key, entry) in _file.Auths)
        {
            if (!Normalise(key).Equals(host, StringComparison.OrdinalIgnoreCase)) continue;
            if (entry.Username is { Length: > 0 } user) return new Credential(user, entry.Password ?? "");
            if (entry.Auth is { Length: > 0 } auth) return Decode(auth, key);
        }
        return null;
    }

    /// <summary>"https://index.docker.io/v1/" → docker.io; "https://host:5000/v2/" → host:5000.</summary>
    public static string Normalise(string key)
    {
        string host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : host;
    }

    private Credential Decode(string auth, string key)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            throw new ImageException($"{Path}: $.auths[\"{key}\"].auth: not base64");
        }
        int colon = text.IndexOf(':');
        if (colon < 0) throw new ImageException($"{Path}: $.auths[\"{key}\"].auth: expected base64 of user:password");
        return new Credential(text[..colon], text[(colon + 1)..]);
    }
}
