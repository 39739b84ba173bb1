using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;

namespace Edge.Tests.Support;

/// <summary>What the proxy does to one response.</summary>
public abstract record Fault
{
    /// <summary>Answers with this status (and headers) without asking the registry.</summary>
    public sealed record Status(int Code, params (string, string)[] Headers) : Fault;
    /// <summary>Sends the registry's headers (full Content-Length) and only the first N body bytes, then closes.</summary>
    public sealed record CutAfter(long Bytes) : Fault;
    /// <summary>Flips one byte in the middle of the body.</summary>
    public sealed record Corrupt : Fault;
    /// <summary>Sends the body in chunks with a pause between them.</summary>
    public sealed record Slow(int ChunkBytes, int DelayMs) : Fault;
    /// <summary>Sends N bytes, then nothing for a while, then closes.</summary>
    public sealed record StallAfter(long Bytes, int StallMs) : Fault;
    /// <summary>Replaces the body and content type.</summary>
    public sealed record Replace(int Code, string ContentType, byte[] Body) : Fault;
}

/// <summary>One request the proxy saw, and how many body bytes it sent back.</summary>
public sealed record ProxiedRequest(string Method, string Path, string? Range, long BytesSent, int Status);

/// <summary>
/// An HTTP proxy in front of a <see cref="LocalRegistry"/> that injects faults into chosen responses
/// (truncated and corrupted bodies, error statuses, slow and stalled transfers) and records every request
/// and the body bytes it sent, so a test can assert what a retry re-sent.
/// </summary>
public sealed class FaultyProxy : IDisposable
{
    private readonly MiniHttpServer _server;
    private readonly HttpClient _upstream;
    private readonly string _upstreamAuthority;
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();

    public FaultyProxy(string upstreamAuthority)
    {
        _upstreamAuthority = upstreamAuthority;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
        _server = new MiniHttpServer(Handle);
    }

    public string Authority => _server.Authority;

    /// <summary>Chooses a fault per request (null: pass through). Called for every request, in order.</summary>
    public Func<MiniRequest, Fault?> Faults { get; set; } = _ => null;

    public IReadOnlyList<ProxiedRequest> Requests => _requests.ToArray();

    private async Task Handle(MiniRequest request, Stream client)
    {
        string path = request.Target.Split('?')[0];
        Fault? fault = Faults(request);
        if (fault is Fault.Status status)
        {
            await MiniHttpServer.WriteResponse(client, status.Code, "application/json", "{\"errors\":[{\"code\":\"INJECTED\",\"message\":\"injected by the test proxy\"}]}"u8.ToArray(), status.Headers);
            _requests.Enqueue(new ProxiedRequest(request.Method, path, request.Header("Range"), 0, status.Code));
            return;
        }
        if (fault is Fault.Replace replace)
        {
            await MiniHttpServer.WriteResponse(client, replace.Code, replace.ContentType, replace.Body);
            _requests.Enqueue(new ProxiedRequest(request.Method, path, request.Header("Range"), replace.Body.Length, replace.Code));
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), $"http://{_upstreamAuthority}{request.Target}");
        foreach (string name in new[] { "Authorization", "Accept", "Range", "User-Agent" })
            if (request.Header(name) is string value) forward.Headers.TryAddWithoutValidation(name, value);
        using HttpResponseMessage response = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseContentRead);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in response.Headers) if (k is not ("Connection" or "Transfer-Encoding")) headers.Add(new(k, string.Join(", ", v)));
        foreach (var (k, v) in response.Content.Headers) if (k != "Content-Length") headers.Add(new(k, string.Join(", ", v)));
        headers.Add(new("Content-Length", body.Length.ToString()));
        if (request.Method == "HEAD") body = Array.Empty<byte>();
        await MiniHttpServer.WriteHead(client, (int)response.StatusCode, response.ReasonPhrase ?? "", headers);

        long sent = 0;
        try
        {
            switch (fault)
            {
                case Fault.CutAfter cut:
                    await client.WriteAsync(body.AsMemory(0, (int)Math.Min(cut.Bytes, body.Length)));
                    sent = Math.Min(cut.Bytes, body.Length);
                    break;
                case Fault.Corrupt when body.Length > 0:
                    body[body.Length / 2] ^= 0xff;
                    await client.WriteAsync(body);
                    sent = body.Length;
                    break;
                case Fault.Slow slow:
                    for (int i = 0; i < body.Length; i += slow.ChunkBytes)
                    {
                        int n = Math.Min(slow.ChunkBytes, body.Length - i);
                        await client.WriteAsync(body.AsMemory(i, n));
                        await client.FlushAsync();
                        sent += n;
                        await Task.Delay(slow.DelayMs);
                    }
                    break;
                case Fault.StallAfter stall:
                    await client.WriteAsync(body.AsMemory(0, (int)Math.Min(stall.Bytes, body.Length)));
                    await client.FlushAsync();
                    sent = Math.Min(stall.Bytes, body.Length);
                    await Task.Delay(stall.StallMs);
                    break;
                default:
                    await client.WriteAsync(body);
                    sent = body.Length;
                    break;
            }
        }
        finally
        {
            // Recorded even when the client went away mid-body (a killed pull): what was sent until then.
            _requests.Enqueue(new ProxiedRequest(request.Method, path, request.Header("Range"), sent, (int)response.StatusCode));
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _upstream.Dispose();
    }
}
