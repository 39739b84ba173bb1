using System.IO;
using System.Text;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>Registry logins: htpasswd Basic auth and the Bearer token flow, credentials from auth files.</summary>
public class AuthTests
{
    private static string AuthFile(TestStore store, string host, string user, string password, bool usernameFields = false)
    {
        string path = store.Combine("auth.json");
        string entry = usernameFields
            ? $"{{\"username\":\"{user}\",\"password\":\"{password}\"}}"
            : $"{{\"auth\":\"{System.Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password))}\"}}";
        File.WriteAllText(path, $"{{\"auths\":{{\"{host}\":{entry}}}}}");
        return path;
    }

    [Fact]
    public void BasicAuthWithCredentialsFromAuthFile()
    {
        using var registry = LocalRegistry.WithBasicAuth();
        string credentials = $"{LocalRegistry.User}:{LocalRegistry.Password}";
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1", credentials: credentials);
        string reference = $"{registry.Authority}/edge/busybox:v1";

        using var store = new TestStore();
        ProcessResult anonymous = store.Edge("pull", reference);
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Equal($"edge: {registry.Authority}: the registry requires a login and there are no credentials for {registry.Authority} in ~/.docker/config.json or $REGISTRY_AUTH_FILE\n", anonymous.Stderr);

        string wrong = AuthFile(store, registry.Authority, LocalRegistry.User, "wrong");
        ProcessResult refused = store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = wrong }, "pull", reference);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"edge: {reference}: unauthorized (check the credentials for {registry.Authority}) (401", refused.Stderr);
        Assert.Empty(store.Images());

        string right = AuthFile(store, "http://" + registry.Authority + "/v2/", LocalRegistry.User, LocalRegistry.Password);
        ProcessResult ok = store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = right }, "pull", reference);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(registry.SkopeoDigest("edge/busybox:v1", credentials), (string)store.Image(reference)["digest"]!);
        store.AssertConsistent();
    }

    [Fact]
    public void BlobRedirectsToAnotherHostCarryNoCredentials()
    {
        using var registry = LocalRegistry.WithBasicAuth();
        string credentials = $"{LocalRegistry.User}:{LocalRegistry.Password}";
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1", credentials: credentials);
        // "Object storage": another host that serves blobs and records the Authorization header it gets.
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var upstream = new System.Net.Http.HttpClient();
        upstream.DefaultRequestHeaders.Authorization = new("Basic", System.Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var storage = new MiniHttpServer(async (r, s) =>
        {
            seen.Enqueue(r.Header("Authorization") ?? "(none)");
            byte[] blob = await upstream.GetByteArrayAsync($"http://{registry.Authority}{r.Target}");
            await MiniHttpServer.WriteResponse(s, 200, "application/octet-stream", blob);
        });
        using var proxy = new FaultyProxy(registry.Authority)
        {
            Faults = r => r.Target.Contains("/blobs/") ? new Fault.Status(307, ("Location", $"http://{storage.Authority}{r.Target}")) : null,
        };
        using var store = new TestStore();
        string reference = $"{proxy.Authority}/edge/busybox:v1";
        ProcessResult result = store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = AuthFile(store, proxy.Authority, LocalRegistry.User, LocalRegistry.Password) }, "pull", reference);
        Assert.True(result.ExitCode == 0, result.ToString());
        store.AssertConsistent();
        Assert.Equal(new[] { "(none)", "(none)", "(none)" }, seen.ToArray());
    }

    [Fact]
    public void NotARegistryIsSaidSo()
    {
        using var store = new TestStore();
        using var web = new MiniHttpServer((r, s) => MiniHttpServer.WriteResponse(s, 404, "text/html", "<html>no</html>"u8.ToArray()));
        ProcessResult result = store.Edge("pull", $"{web.Authority}/a/b:c");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {web.Authority}/a/b:c: {web.Authority} is not an OCI distribution registry (GET http://{web.Authority}/v2/ answered 404)\n", result.Stderr);
    }

    [Fact]
    public void BearerTokenFlowWithDockerConfig()
    {
        using var issuer = new TokenIssuer();
        using var registry = LocalRegistry.WithTokenAuth(issuer);
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1", credentials: $"{LocalRegistry.User}:{LocalRegistry.Password}");
        string reference = $"{registry.Authority}/edge/busybox:v1";
        while (issuer.Requests.TryDequeue(out _)) { }

        using var store = new TestStore();
        ProcessResult anonymous = store.Edge("pull", reference);
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Equal($"edge: {registry.Authority}: token service {issuer.Authority} refused anonymous access: 401\n", anonymous.Stderr);

        // ~/.docker/config.json (HOME is the test's directory), with username/password fields.
        Directory.CreateDirectory(store.Combine(".docker"));
        File.Move(AuthFile(store, registry.Authority, LocalRegistry.User, LocalRegistry.Password, usernameFields: true), store.Combine(".docker", "config.json"));
        while (issuer.Requests.TryDequeue(out _)) { }
        ProcessResult ok = store.Edge("pull", reference);
        Assert.True(ok.ExitCode == 0, ok.ToString() + registry.Log);
        store.AssertConsistent();
        // One token for the pull (cached across the manifest and the three blobs), with the right scope.
        var requests = issuer.Requests.ToArray();
        Assert.Single(requests);
        Assert.Equal(("repository:edge/busybox:pull", true), requests[0]);
    }

    [Fact]
    public void AnonymousBearerTokens()
    {
        using var issuer = new TokenIssuer { AllowAnonymous = true };
        using var registry = LocalRegistry.WithTokenAuth(issuer);
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1", credentials: $"{LocalRegistry.User}:{LocalRegistry.Password}");
        using var store = new TestStore();
        ProcessResult ok = store.Edge("pull", $"{registry.Authority}/edge/busybox:v1");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains(issuer.Requests, r => r == ("repository:edge/busybox:pull", false));
    }

    [Fact]
    public void BadAuthFileIsNamed()
    {
        using var store = new TestStore();
        string path = store.Combine("auth.json");
        File.WriteAllText(path, "{\"auths\": {\"x\": {\"auth\": 5}}}");
        ProcessResult result = store.EdgeEnv(new() { ["REGISTRY_AUTH_FILE"] = path }, "pull", "127.0.0.1:1/a:b");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"edge: {path}: $.auths.x.auth: expected string", result.Stderr);
    }
}

/// <summary>HTTPS registries: certificates checked against the system CA store (here $SSL_CERT_FILE).</summary>
public class TlsTests
{
    [Fact]
    public void HttpsWithTrustedAndUntrustedCertificates()
    {
        using var dir = new TempDir("edge-tls-");
        using var caKey = System.Security.Cryptography.RSA.Create(2048);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=edge test CA", caKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(System.DateTimeOffset.UtcNow.AddDays(-1), System.DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = System.Security.Cryptography.RSA.Create(2048);
        var serverRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", serverKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        using var server = serverRequest.Create(ca, System.DateTimeOffset.UtcNow.AddHours(-1), System.DateTimeOffset.UtcNow.AddHours(12), new byte[] { 1, 2, 3, 4 });
        File.WriteAllText(dir.Combine("ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(dir.Combine("server.pem"), server.ExportCertificatePem());
        File.WriteAllText(dir.Combine("server.key"), serverKey.ExportPkcs8PrivateKeyPem());

        using var registry = LocalRegistry.WithTls(dir.Combine("server.pem"), dir.Combine("server.key"));
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1");
        string reference = $"{registry.Authority}/edge/busybox:v1";

        using var store = new TestStore();
        ProcessResult untrusted = store.Edge("pull", reference);
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Equal($"edge: {registry.Authority}: TLS certificate refused (RemoteCertificateChainErrors): is the registry's CA in the system store (or $SSL_CERT_FILE)?\n", untrusted.Stderr);

        ProcessResult trusted = store.EdgeEnv(new() { ["SSL_CERT_FILE"] = dir.Combine("ca.pem") }, "pull", reference);
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Equal(registry.SkopeoDigest("edge/busybox:v1"), (string)store.Image(reference)["digest"]!);
    }
}
