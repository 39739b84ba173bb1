using System;

namespace Edge.Image;

/// <summary>
/// An expected failure on the image side (bad reference, registry refusal, digest mismatch, a store that
/// cannot take the content): the message is the one line the user sees and names what was wrong.
/// </summary>
public class ImageException : Exception
{
    public ImageException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Content that does not match its descriptor: never retried, never stored.</summary>
public sealed class DigestMismatchException : ImageException
{
    public DigestMismatchException(string message) : base(message) { }
}
