using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Edge.Image.Registry;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Image;

/// <summary>
/// Where the registry client sends credentials, with a fake transport standing in for an HTTPS registry: to
/// the registry as it was reached only, never to another host nor to plain HTTP on the same one after a
/// redirect (docs/security.md, "hostile registry").
/// </summary>
public class RegistryCredentialTests
{
    private sealed class FakeRegistry : HttpMessageHandler
    {
        public ConcurrentQueue<(Uri Uri, string? Authorization)> Seen { get; } = new();
        public required Func<HttpRequestMessage, HttpResponseMessage> Answer { get; init; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString()));
            return Task.FromResult(Answer(request));
        }
    }

    private static HttpResponseMessage Status(HttpStatusCode code, Action<HttpResponseMessage>? configure = null)
    {
        var response = new HttpResponseMessage(code) { Content = new ByteArrayContent(Array.Empty<byte>()) };
        configure?.Invoke(response);
        return response;
    }

    [Theory]
    [InlineData("http://registry.example/v2/app/manifests/1")]   // the same host, in clear text
    [InlineData("https://storage.example/v2/app/manifests/1")]   // another host
    public async Task RedirectsCarryNoCredentialsAwayFromTheRegistry(string redirect)
    {
        using var dir = new TempDir("edge-creds-");
        File.WriteAllText(dir.Combine("auth.json"), $"{{\"auths\":{{\"registry.example\":{{\"auth\":\"{Convert.ToBase64String("user:secret"u8.ToArray())}\"}}}}}}");
        var registry = new FakeRegistry
        {
            Answer = request =>
            {
                Uri uri = request.RequestUri!;
                if (uri.Host == "registry.example" && uri.Scheme == "https" && request.Headers.Authorization is null)
                    return Status(HttpStatusCode.Unauthorized, r => r.Headers.WwwAuthenticate.ParseAdd("Basic realm=\"registry\""));
                if (uri.Host == "registry.example" && uri.Scheme == "https")
                    return Status(HttpStatusCode.Redirect, r => r.Headers.Location = new Uri(redirect));
                return Status(HttpStatusCode.NotFound);
            },
        };
        var options = new RegistryOptions { Credentials = CredentialStore.FromFile(dir.Combine("auth.json")), MaxAttempts = 1 };
        using var client = new RegistryClient("registry.example", options, registry);
        using HttpResponseMessage response = await client.SendAsync(HttpMethod.Get, "app", "app/manifests/1", null, CancellationToken.None);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(registry.Seen, s => s.Uri.Scheme == "https" && s.Uri.Host == "registry.example" && s.Authorization is not null); // the control
        Assert.Contains(registry.Seen, s => s.Uri.ToString() == redirect);
        Assert.All(registry.Seen, s => Assert.True(s.Authorization is null || (s.Uri.Scheme == "https" && s.Uri.Host == "registry.example"),
            $"credentials sent to {s.Uri}"));
    }
}
