using System;

namespace Edge.Cli.CommandLine;

/// <summary>The command line itself is wrong; the message says what and how to get help.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}
