using System;
using System.IO;

namespace Edge.Oci.Json;

/// <summary>Short lowercase reasons for I/O failures, without .NET's sentence-style messages.</summary>
public static class Errors
{
    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => ex.Message,
    };
}
