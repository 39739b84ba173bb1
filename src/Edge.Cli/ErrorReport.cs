using System;
using System.IO;
using Edge.Cli.CommandLine;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Runtime;

namespace Edge.Cli;

/// <summary>Which exceptions are a user's bad input or a failed operation (one line, no stack), not a bug.</summary>
internal static class ErrorReport
{
    public static bool IsExpected(Exception ex) =>
        ex is RuntimeException or Edge.Image.ImageException or OciFormatException or SystemCallException or UsageException or IOException
            or UnauthorizedAccessException or SettingException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException
            or OperationCanceledException or TimeoutException or InvalidDataException;
}
