using System.Globalization;

namespace Edge.Cli.CommandLine;

internal static class Sizes
{
    /// <summary>Sizes as docker prints them: decimal units, three significant digits.</summary>
    public static string Human(long bytes)
    {
        string[] units = { "B", "kB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1) { value /= 1000; unit++; }
        return unit == 0 ? $"{bytes}B" : value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0", CultureInfo.InvariantCulture) + units[unit];
    }
}
