using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Edge.Tests.Support;

/// <summary>
/// The default seccomp profile of docker and podman (containers-common's /usr/share/containers/seccomp.json),
/// turned into a runtime-spec linux.seccomp for given capabilities on x86_64, the way docker does it:
/// rules whose includes (caps, arches) hold and whose excludes do not.
/// </summary>
public static class DockerSeccomp
{
    public const string ProfilePath = "/usr/share/containers/seccomp.json";

    public static JsonObject ForCapabilities(IEnumerable<string> capabilities)
    {
        var caps = new HashSet<string>(capabilities);
        JsonNode profile = JsonNode.Parse(File.ReadAllText(ProfilePath))!;
        var architectures = new JsonArray();
        foreach (JsonNode? map in profile["archMap"]!.AsArray())
        {
            if ((string)map!["architecture"]! != "SCMP_ARCH_X86_64") continue;
            architectures.Add("SCMP_ARCH_X86_64");
            foreach (JsonNode? sub in map["subArchitectures"]!.AsArray()) architectures.Add((string)sub!);
        }
        var syscalls = new JsonArray();
        foreach (JsonNode? rule in profile["syscalls"]!.AsArray())
        {
            if (!Holds(rule!["includes"], caps, all: true) || Holds(rule["excludes"], caps, all: false)) continue;
            var converted = new JsonObject { ["names"] = rule["names"]!.DeepClone(), ["action"] = (string)rule["action"]! };
            if (rule["errnoRet"] is JsonNode errno) converted["errnoRet"] = errno.DeepClone();
            if (rule["args"] is JsonArray { Count: > 0 } args) converted["args"] = args.DeepClone();
            syscalls.Add(converted);
        }
        var result = new JsonObject
        {
            ["defaultAction"] = (string)profile["defaultAction"]!,
            ["architectures"] = architectures,
            ["syscalls"] = syscalls,
        };
        if (profile["defaultErrnoRet"] is JsonNode ret) result["defaultErrnoRet"] = ret.DeepClone();
        return result;
    }

    /// <summary>includes (all = true): every condition holds; excludes (all = false): any condition holds.</summary>
    private static bool Holds(JsonNode? conditions, HashSet<string> caps, bool all)
    {
        if (conditions is not JsonObject c || c.Count == 0) return all;
        var results = new List<bool>();
        if (c["caps"] is JsonArray needed && needed.Count > 0)
            results.Add(all ? needed.All(n => caps.Contains((string)n!)) : needed.Any(n => caps.Contains((string)n!)));
        if (c["arches"] is JsonArray arches && arches.Count > 0)
            results.Add(arches.Any(a => (string)a! is "amd64" or "x86_64"));
        if (c["minKernel"] is not null) results.Add(true);
        return results.Count == 0 ? all : all ? results.All(r => r) : results.Any(r => r);
    }
}
