using System.Net;

namespace Edge.Image.Registry;

/// <summary>A registry answered with an error status (after retries, where retrying made sense).</summary>
public sealed class RegistryException : ImageException
{
    public RegistryException(string message, HttpStatusCode status) : base(message)
    {
        Status = status;
    }

    public HttpStatusCode Status { get; }
}
