using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;

namespace Edge.Linux;

/// <summary>
/// The one place exceptions become words. edge's own exceptions carry sentences it wrote, given as they are
/// (they name cgroup files such as net_cls.classid, and user input, which no rewriting may touch; they never
/// embed a framework message, only this class's words for one). The framework's carry, in this build
/// (UseSystemResourceKeys), only resource keys such as "IO_PathNotFound_Path, /x", which no user should see:
/// a framework exception is described by its type and fields (errno, socket error, HTTP error kind) in
/// edge's style, and any resource key left in its text is turned into words.
/// </summary>
public static class ErrorText
{
    public static string Describe(Exception ex)
    {
        string? typeName = ex.GetType().Namespace;
        if (typeName is not null && typeName.StartsWith("Edge.", StringComparison.Ordinal)) return ex.Message;
        return ex switch
        {
            FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
            UnauthorizedAccessException => "permission denied",
            PathTooLongException => "file name too long",
            OperationCanceledException or TimeoutException => "timed out",
            InvalidDataException => "corrupt compressed data",
            System.Security.Authentication.AuthenticationException => "TLS handshake failed",
            System.ComponentModel.Win32Exception win32 when win32.NativeErrorCode > 0 => ErrnoText.Describe(win32.NativeErrorCode),
            HttpRequestException http => Http(http),
            SocketException socket => Socket(socket),
            IOException io when io.HResult is > 0 and < 4096 => ErrnoText.Describe(io.HResult),
            _ => Clean(ex.Message),
        };
    }

    private static string Http(HttpRequestException ex)
    {
        if (Inner<SocketException>(ex) is SocketException socket) return Socket(socket);
        if (Inner<System.Security.Authentication.AuthenticationException>(ex) is not null) return "TLS handshake failed";
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "cannot resolve the host name",
            HttpRequestError.ConnectionError => "cannot connect",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "the connection closed before the response ended",
            HttpRequestError.InvalidResponse => "not a valid HTTP response",
            HttpRequestError.ConfigurationLimitExceeded => "the response headers are too large",
            HttpRequestError.HttpProtocolError => "HTTP protocol error",
            HttpRequestError.ProxyTunnelError => "the proxy refused the tunnel",
            HttpRequestError.UserAuthenticationError => "authentication failed",
            _ => ex.InnerException is Exception inner ? Describe(inner) : Clean(ex.Message),
        };
    }

    private static string Socket(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "timed out",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TryAgain => "host name lookup failed (try again)",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.ConnectionReset => "connection reset by peer",
        SocketError.ConnectionAborted => "connection aborted",
        SocketError.AddressNotAvailable => "address not available",
        _ => ex.ErrorCode is > 0 and < 4096 ? ErrnoText.Describe(ex.ErrorCode) : "network error",
    };

    private static T? Inner<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    /// <summary>
    /// A text with every .NET resource key ("UnauthorizedAccess_IODenied_Path, /x") in it turned into words
    /// ("permission denied: /x").
    /// </summary>
    public static string Clean(string text)
    {
        if (!text.Contains('_')) return text;
        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
            if (i == start) { result.Append(text[i++]); continue; }
            string token = text[start..i];
            bool wordStart = start == 0 || !char.IsAsciiLetterOrDigit(text[start - 1]);
            int underscore = token.IndexOf('_');
            if (!wordStart || underscore <= 0 || !KeyAreas.Contains(token[..underscore]))
            {
                result.Append(token);
                continue;
            }
            // ", arguments" follow the key up to the end, or to the ": " that starts the next part of a message.
            string arguments = "";
            if (i + 1 < text.Length && text[i] == ',' && text[i + 1] == ' ')
            {
                int end = text.IndexOf(": ", i, StringComparison.Ordinal);
                if (end < 0) end = text.Length;
                arguments = text[(i + 2)..end];
                i = end;
            }
            result.Append(Words(token, arguments));
        }
        return result.ToString();
    }

    private static readonly System.Collections.Generic.HashSet<string> KeyAreas = new(StringComparer.Ordinal)
    {
        "IO", "net", "Arg", "Argument", "UnauthorizedAccess", "InvalidOperation", "NotSupported", "Format", "Overflow",
        "Security", "Cryptography", "Http", "Net", "Sockets", "ObjectDisposed", "Serialization",
    };

    private static string Words(string key, string arguments)
    {
        string words = key switch
        {
            "IO_FileNotFound" or "IO_FileNotFound_FileName" or "IO_PathNotFound_Path" or "IO_PathNotFound_NoPathName" => "no such file or directory",
            "UnauthorizedAccess_IODenied_Path" or "UnauthorizedAccess_IODenied_NoPathName" => "permission denied",
            "IO_PathTooLong" or "IO_PathTooLong_Path" => "file name too long",
            "IO_FileExists_Name" or "IO_AlreadyExists_Name" => "file exists",
            "IO_SharingViolation_File" or "IO_SharingViolation_NoFileName" => "the file is in use",
            "IO_DiskFull_Path_AllocationSize" => "no space left on device",
            "net_http_ssl_connection_failed" => "TLS handshake failed",
            "net_http_unsupported_requesturi_scheme" => "unsupported URL scheme (only http and https)",
            "net_http_request_timedout" => "timed out",
            _ => Generic(key),
        };
        string subject = arguments.Trim().TrimEnd('.');
        return subject.Length == 0 ? words : $"{words}: {Printable.Short(subject)}";
    }

    /// <summary>"net_http_content_buffer_size_exceeded" -> "content buffer size exceeded"; "Arg_InvalidHandle" -> "invalid handle".</summary>
    private static string Generic(string key)
    {
        var words = new StringBuilder();
        string[] parts = key.Split('_', StringSplitOptions.RemoveEmptyEntries);
        int first = 0;
        while (first < parts.Length - 1 && parts[first] is "net" or "http" or "IO" or "Arg" or "Argument" or "InvalidOperation" or "NotSupported" or "UnauthorizedAccess" or "Format" or "Overflow") first++;
        int last = parts.Length;
        while (last > first + 1 && parts[last - 1] is "Path" or "Name" or "FileName" or "NoPathName" or "File") last--;
        for (int i = first; i < last; i++)
        {
            foreach (char c in parts[i])
            {
                if (char.IsUpper(c) && words.Length > 0 && words[^1] != ' ') words.Append(' ');
                words.Append(char.ToLowerInvariant(c));
            }
            words.Append(' ');
        }
        return words.ToString().Trim();
    }

}
