using System;

namespace Edge.Runtime;

/// <summary>An expected failure of a runtime verb; its message is what the user sees after "edge: ".</summary>
public class RuntimeException : Exception
{
    public RuntimeException(string message) : base(message) { }
    public RuntimeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The container id is not known under --root. The text matches runc's, which shims look for.</summary>
public sealed class ContainerNotFoundException : RuntimeException
{
    public ContainerNotFoundException(string id) : base($"container \"{id}\" does not exist") => Id = id;
    public string Id { get; }
}

/// <summary>`create` of an id that is taken.</summary>
public sealed class ContainerExistsException : RuntimeException
{
    public ContainerExistsException(string id) : base($"container with id exists: {id}") => Id = id;
    public string Id { get; }
}
