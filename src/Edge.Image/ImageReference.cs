
namespace Edge.Image;

/// <summary>
/// An image reference as docker and containerd read it: <c>[domain[:port]/]path[:tag][@algorithm:hex]</c>.
/// "busybox" is docker.io/library/busybox:latest; a first component is a registry when it contains '.' or
/// ':', or is "localhost"; Docker Hub names of one component live under "library/".
/// </summary>
public sealed record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";
    public const int MaxNameLength = 255;

    /// <summary>domain/path, e.g. docker.io/library/busybox.</summary>
    public string Name => $"{Domain}/{Path}";

    /// <summary>The canonical text: name, then ":tag" and/or "@digest".</summary>
    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Parses and normalises; a reference without tag or digest gets "latest".</summary>
    public static ImageReference Parse(string text)
    {
        if (!TryParse(text, out ImageReference? reference, out string? problem))
            throw new ImageException($"invalid image reference \"{text}\": {problem}");
        return reference!;
    }

    public static bool TryParse(string text, out ImageReference? reference, out string? problem)
    {
        reference = null;
        if (string.IsNullOrEmpty(text)) { problem = "empty"; return false; }

        string? digest = null;
        string rest = text;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!IsDigest(digest, out problem)) return false;
        }

        string? tag = null;
        int lastSlash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsTag(tag)) { problem = $"invalid tag \"{tag}\""; return false; }
        }

        string domain = DockerHub;
        string path = rest;
        int firstSlash = rest.IndexOf('/');
        if (firstSlash >= 0)
        {
            string first = rest[..firstSlash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost" || first.ToLowerInvariant() != first)
            {
                domain = first;
                path = rest[(firstSlash + 1)..];
                if (!IsDomain(domain)) { problem = $"invalid registry \"{domain}\""; return false; }
            }
        }
        if (domain == "index.docker.io") domain = DockerHub;
        if (path.Length == 0) { problem = "missing repository name"; return false; }
        if (path.ToLowerInvariant() != path) { problem = "repository name must be lowercase"; return false; }
        foreach (string component in path.Split('/'))
            if (!IsPathComponent(component)) { problem = $"invalid repository name component \"{component}\""; return false; }
        if (domain == DockerHub && !path.Contains('/')) path = "library/" + path;
        if (domain.Length + 1 + path.Length > MaxNameLength) { problem = $"repository name longer than {MaxNameLength} characters"; return false; }

        if (tag is null && digest is null) tag = "latest";
        reference = new ImageReference(domain, path, tag, digest);
        problem = null;
        return true;
    }

    // path-component := [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
    private static bool IsPathComponent(string s)
    {
        if (s.Length == 0 || !IsLowerAlnum(s[0]) || !IsLowerAlnum(s[^1])) return false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (IsLowerAlnum(c)) continue;
            // A separator: one '.', one '_', "__", or any run of '-', always followed by an alphanumeric.
            int run = 1;
            while (i + run < s.Length && s[i + run] == c) run++;
            bool allowed = c switch { '.' => run == 1, '_' => run <= 2, '-' => true, _ => false };
            if (!allowed || i + run >= s.Length || !IsLowerAlnum(s[i + run])) return false;
            i += run - 1;
        }
        return true;
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    // tag := [\w][\w.-]{0,127}
    private static bool IsTag(string s)
    {
        if (s.Length is 0 or > 128) return false;
        if (!(char.IsAsciiLetterOrDigit(s[0]) || s[0] == '_')) return false;
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')) return false;
        return true;
    }

    // host[:port], host a DNS name, an IPv4 address or a bracketed IPv6 address.
    private static bool IsDomain(string s)
    {
        string host = s;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']');
            if (close < 0) return false;
            host = s[1..close];
            if (!System.Net.IPAddress.TryParse(host, out _)) return false;
            string after = s[(close + 1)..];
            return after.Length == 0 || after[0] == ':' && IsPort(after[1..]);
        }
        int colon = s.IndexOf(':');
        if (colon >= 0)
        {
            if (!IsPort(s[(colon + 1)..])) return false;
            host = s[..colon];
        }
        if (host.Length == 0) return false;
        foreach (string label in host.Split('.'))
        {
            if (label.Length == 0 || !char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1])) return false;
            foreach (char c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }

    private static bool IsPort(string s) => s.Length is > 0 and <= 5 && uint.TryParse(s, out uint port) && port <= 65535;

    /// <summary>algorithm:hex, with the lengths of sha256 (64) and sha512 (128) enforced.</summary>
    public static bool IsDigest(string s, out string? problem)
    {
        problem = null;
        int colon = s.IndexOf(':');
        if (colon <= 0 || colon == s.Length - 1) { problem = $"invalid digest \"{s}\""; return false; }
        string algorithm = s[..colon], hex = s[(colon + 1)..];
        foreach (char c in hex)
            if (!(c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))) { problem = $"invalid digest \"{s}\": not lowercase hex"; return false; }
        int expected = algorithm switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (expected < 0) { problem = $"unsupported digest algorithm \"{algorithm}\""; return false; }
        if (hex.Length != expected) { problem = $"invalid digest \"{s}\": {algorithm} needs {expected} hex digits"; return false; }
        return true;
    }
}
