using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Edge.Oci.RuntimeSpec;

/// <summary>config-linux.md "seccomp": actions SCMP_ACT_*, architectures SCMP_ARCH_*, operators SCMP_CMP_*.</summary>
public sealed class Seccomp
{
    [JsonPropertyName("defaultAction")] public required string DefaultAction { get; set; }
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<SyscallRule>? Syscalls { get; set; }
}

public sealed class SyscallRule
{
    [JsonPropertyName("names")] public required List<string> Names { get; set; }
    [JsonPropertyName("action")] public required string Action { get; set; }
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<SyscallArg>? Args { get; set; }
}

public sealed class SyscallArg
{
    [JsonPropertyName("index")] public required uint Index { get; set; }
    [JsonPropertyName("value")] public required ulong Value { get; set; }

    [JsonPropertyName("valueTwo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ValueTwo { get; set; }

    [JsonPropertyName("op")] public required string Op { get; set; }
}
