using System.Collections.Generic;
using System.Text.Json.Serialization;
using Edge.Oci.Image;
using Edge.Oci.RuntimeSpec;

namespace Edge.Oci.Json;

/// <summary>
/// The one source-generated serializer context for every OCI type: no reflection at run time.
/// Nulls are left out on write (Go's omitempty) and nullable annotations are enforced on read,
/// so <c>"cwd": null</c> is an error rather than a surprise later.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(List<State>))]
[JsonSerializable(typeof(ContainerProcessState))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(Resources))]
[JsonSerializable(typeof(Hooks))]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(Index))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(ImageLayout))]
[JsonSerializable(typeof(Descriptor))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writes a Spec with the serialization code the generator emitted for it, called directly: the same
    /// bytes as <c>JsonSerializer.Serialize(writer, spec, Spec)</c>, without first building the metadata of
    /// the whole model, which in Native AOT costs about 5 ms and 750 KiB (see SpecReader). `edge run IMAGE`
    /// and `edge spec` write config.json this way. Only nullable numbers fall back to their small metadata.
    /// </summary>
    public void WriteSpec(System.Text.Json.Utf8JsonWriter writer, Spec spec) => SpecSerializeHandler(writer, spec);
}
