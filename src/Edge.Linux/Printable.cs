using System.Text;

namespace Edge.Linux;

/// <summary>
/// Text from images, archives, registries and configs as it may appear in a message: control characters
/// escaped (a name could otherwise rewrite the user's terminal or forge a log line) and long values
/// shortened (a 100 MB hostname must not be echoed whole).
/// </summary>
public static class Printable
{
    public const int DefaultMax = 256;

    public static string Short(string? text, int max = DefaultMax)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        bool clean = text.Length <= max;
        foreach (char c in text)
            if (char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsSurrogate(c)) { clean = false; break; }
        if (clean) return text;

        var result = new StringBuilder(System.Math.Min(text.Length, max) + 16);
        int i = 0;
        for (; i < text.Length && result.Length < max; i++)
        {
            char c = text[i];
            if (char.IsSurrogatePair(text, i)) { result.Append(c).Append(text[++i]); continue; }
            if (c == '\n') result.Append("\\n");
            else if (c == '\r') result.Append("\\r");
            else if (c == '\t') result.Append("\\t");
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029') result.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else result.Append(c);
        }
        if (i < text.Length) result.Append("...(").Append(text.Length - i).Append(" more characters)");
        return result.ToString();
    }

    /// <summary>UTF-8 bytes (an entry name) as printable text; only the first bytes are decoded when it is long.</summary>
    public static string Short(System.ReadOnlySpan<byte> utf8, int max = DefaultMax) =>
        Short(Encoding.UTF8.GetString(utf8.Length > max * 4 ? utf8[..(max * 4)] : utf8), max);
}
