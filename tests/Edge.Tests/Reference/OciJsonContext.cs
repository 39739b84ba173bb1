using System.Collections.Generic;
using System.Text.Json.Serialization;
using Edge.Oci.Image;
using Edge.Oci.RuntimeSpec;
using Edge.Image;
using Edge.Runtime.State;

namespace Edge.Tests.Reference;

/// <summary>
/// System.Text.Json's source-generated serializer for the OCI model: edge's readers and writers (SpecReader,
/// ImageReader, SpecWriter, ImageWriter) stand in for it in the product and are held to it here.
/// Nulls are left out on write (Go's omitempty) and nullable annotations are enforced on read.
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
}

/// <summary>The same for the image side's own documents and other tools' (edge's ImageListReader, ToolDocumentReader).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ImageList))]
[JsonSerializable(typeof(List<ImageRecord>))]
[JsonSerializable(typeof(AuthFile))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
public sealed partial class ImageJsonContext : JsonSerializerContext
{
}

/// <summary>The same for edge 0.1's state.json (LegacyRecordReader).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ContainerRecord))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext
{
}
