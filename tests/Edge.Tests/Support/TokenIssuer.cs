using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace Edge.Tests.Support;

/// <summary>
/// A small token service for the registry's token auth (distribution does not issue tokens itself): RS256
/// JWTs with the signing certificate in the x5c header, that certificate being the registry's
/// rootcertbundle. Grants pull (and push) to requests with the test user's Basic credentials; anonymous
/// requests get a token only when <see cref="AllowAnonymous"/>.
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    public const string Service = "edge-test-registry", Issuer = "edge-test-issuer";

    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly MiniHttpServer _server;
    private readonly TempDir _dir = new("edge-token-");

    public TokenIssuer()
    {
        var request = new CertificateRequest("CN=edge test token issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificateFile = _dir.Combine("issuer.pem");
        File.WriteAllText(CertificateFile, _certificate.ExportCertificatePem());
        _server = new MiniHttpServer(Handle);
    }

    public string CertificateFile { get; }
    public string Authority => _server.Authority;
    public bool AllowAnonymous { get; set; }
    /// <summary>Every token request: its scope and whether it carried the right credentials.</summary>
    public ConcurrentQueue<(string Scope, bool Authenticated)> Requests { get; } = new();

    private async Task Handle(MiniRequest request, Stream stream)
    {
        var query = ParseQuery(request.Target);
        string scope = query.GetValueOrDefault("scope", "");
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalRegistry.User}:{LocalRegistry.Password}"));
        string? given = request.Header("Authorization");
        bool authenticated = given == expected;
        Requests.Enqueue((scope, authenticated));
        if ((given is not null && !authenticated) || (!authenticated && !AllowAnonymous))
        {
            await MiniHttpServer.WriteResponse(stream, 401, "application/json", "{\"details\":\"bad credentials\"}"u8.ToArray());
            return;
        }
        string token = Sign(scope, query.GetValueOrDefault("service", ""));
        await MiniHttpServer.WriteResponse(stream, 200, "application/json", Encoding.UTF8.GetBytes($"{{\"token\":\"{token}\",\"expires_in\":300}}"));
    }

    private string Sign(string scope, string service)
    {
        var access = new JsonArray();
        // scope = repository:NAME:ACTIONS
        string[] parts = scope.Split(':');
        if (parts.Length == 3)
        {
            var actions = new JsonArray();
            foreach (string a in parts[2].Split(',')) actions.Add(a);
            access.Add(new JsonObject { ["type"] = parts[0], ["name"] = parts[1], ["actions"] = actions });
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = LocalRegistry.User, ["aud"] = service, ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        string signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Dictionary<string, string> ParseQuery(string target)
    {
        var result = new Dictionary<string, string>();
        int q = target.IndexOf('?');
        if (q < 0) return result;
        foreach (string pair in target[(q + 1)..].Split('&'))
        {
            int eq = pair.IndexOf('=');
            if (eq > 0) result[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..]);
        }
        return result;
    }

    public void Dispose()
    {
        _server.Dispose();
        _certificate.Dispose();
        _key.Dispose();
        _dir.Dispose();
    }
}
