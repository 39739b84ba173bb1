namespace Edge.Runtime;

/// <summary>Container ids as runc accepts them: letters, digits, '_', '+', '-', '.'; never "." or "..".</summary>
public static class ContainerId
{
    public const int MaxLength = 1024;

    public static bool IsValid(string id)
    {
        if (id.Length == 0 || id.Length > MaxLength || id == "." || id == "..") return false;
        foreach (char c in id)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.';
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Throws the one-line error runc gives for a bad id.</summary>
    public static string Validate(string id) =>
        IsValid(id) ? id : throw new RuntimeException($"invalid container id \"{id}\": ids may contain only letters, digits, '_', '+', '-' and '.'");
}
