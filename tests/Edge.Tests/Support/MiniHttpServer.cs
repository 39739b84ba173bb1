using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Tests.Support;

/// <summary>One request as the mini server read it (GET/HEAD only: pulls send no bodies).</summary>
public sealed record MiniRequest(string Method, string Target, Dictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? v) ? v : null;
}

/// <summary>
/// A deliberately small HTTP/1.1 server on 127.0.0.1 for the tests' token issuer and faulty registry proxy:
/// one request per connection (Connection: close), so a handler can cut, stall or corrupt a response at the
/// byte level, which a real server framework would not let it do.
/// </summary>
public sealed class MiniHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<MiniRequest, Stream, Task> _handler;
    private readonly CancellationTokenSource _stop = new();

    public MiniHttpServer(Func<MiniRequest, Stream, Task> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public string Authority => $"127.0.0.1:{Port}";

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        NetworkStream stream = client.GetStream();
                        MiniRequest? request = await ReadRequest(stream);
                        if (request is { Method: "TLS" })
                        {
                            // A TLS ClientHello on a plain port: answer as Go's net/http does, so a client
                            // probing for HTTPS learns at once that this server speaks plain HTTP.
                            await stream.WriteAsync("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"u8.ToArray());
                            request = null;
                        }
                        if (request is not null) await _handler(request, stream);
                        await stream.FlushAsync();
                        client.Client.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception)
                    {
                        // The client went away: nothing to answer.
                    }
                }
            });
        }
    }

    private static async Task<MiniRequest?> ReadRequest(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r'))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            if (head.Count == 0 && one[0] == 0x16) return new MiniRequest("TLS", "", new Dictionary<string, string>());
            head.Add(one[0]);
            if (head.Count > 64 << 10) return null;
        }
        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (string line in lines[1..])
        {
            int colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new MiniRequest(requestLine[0], requestLine[1], headers);
    }

    /// <summary>Writes a status line and headers (Connection: close added).</summary>
    public static async Task WriteHead(Stream stream, int status, string reason, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {reason}\r\n");
        foreach (var (k, v) in headers) text.Append(k).Append(": ").Append(v).Append("\r\n");
        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
    }

    public static async Task WriteResponse(Stream stream, int status, string contentType, byte[] body, params (string, string)[] extra)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", contentType), new("Content-Length", body.Length.ToString()) };
        foreach (var (k, v) in extra) headers.Add(new(k, v));
        await WriteHead(stream, status, ((HttpStatusCode)status).ToString(), headers);
        await stream.WriteAsync(body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
