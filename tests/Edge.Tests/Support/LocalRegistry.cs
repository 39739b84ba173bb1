using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;

namespace Edge.Tests.Support;

/// <summary>
/// Debian's docker-registry (CNCF distribution) on 127.0.0.1 with a temporary storage directory and a
/// generated config: open, with htpasswd Basic auth, or with token auth against a <see cref="TokenIssuer"/>.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    /// <summary>htpasswd line for user "edge", password "edge-test-password" (bcrypt cost 4, fast).</summary>
    public const string User = "edge", Password = "edge-test-password";
    private const string HtpasswdLine = "edge:$2b$04$J1uv347kGh3F2HJc6yP5ZuisB.da3blEP6/FJB0DgwLYcTAAijNiW";

    private readonly TempDir _dir = new("edge-registry-");
    private readonly Process _process;

    private LocalRegistry(string authSection, string httpExtra = "", bool basicAuth = false)
    {
        Port = FreePort();
        if (basicAuth)
        {
            // The password file lives with the registry's data, so it goes when the registry does.
            string htpasswd = _dir.Combine("htpasswd");
            File.WriteAllText(htpasswd, HtpasswdLine + "\n");
            authSection = $"auth:\n  htpasswd:\n    realm: edge-test\n    path: {htpasswd}";
        }
        string config = $"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {_dir.Combine("data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
              secret: edge-test-secret
            {httpExtra}
            {authSection}
            """;
        File.WriteAllText(_dir.Combine("config.yml"), config);
        var info = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(_dir.Combine("config.yml"));
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start docker-registry");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Log) Log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            WaitReady();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }
    public string Authority => $"127.0.0.1:{Port}";
    public System.Text.StringBuilder Log { get; } = new();

    public static LocalRegistry Open() => new("");

    /// <summary>HTTPS only, with the given PEM certificate and key.</summary>
    public static LocalRegistry WithTls(string certificateFile, string keyFile) =>
        new("", $"  tls:\n    certificate: {certificateFile}\n    key: {keyFile}");

    public static LocalRegistry WithBasicAuth() => new("", basicAuth: true);

    public static LocalRegistry WithTokenAuth(TokenIssuer issuer) => new($"""
        auth:
          token:
            realm: http://{issuer.Authority}/token
            service: {TokenIssuer.Service}
            issuer: {TokenIssuer.Issuer}
            rootcertbundle: {issuer.CertificateFile}
        """);

    /// <summary>Pushes an OCI layout image (skopeo's oci:DIR:REF) to NAME:TAG here.</summary>
    public void Push(string source, string repositoryAndTag, bool all = false, string? credentials = null)
    {
        var args = new System.Collections.Generic.List<string> { "copy", "--dest-tls-verify=false", "--quiet" };
        if (all) args.Add("--all");
        if (credentials is not null) { args.Add("--dest-creds"); args.Add(credentials); }
        args.Add(source);
        args.Add($"docker://{Authority}/{repositoryAndTag}");
        ProcessResult result = EdgeProcess.Run("skopeo", args.ToArray(), timeoutMs: 120_000);
        if (result.ExitCode != 0) throw new InvalidOperationException($"skopeo push failed: {result}\nregistry log: {Log}");
    }

    /// <summary>What skopeo says the digest of NAME:TAG is, for comparison with edge's.</summary>
    public string SkopeoDigest(string repositoryAndTag, string? credentials = null)
    {
        var args = new System.Collections.Generic.List<string> { "inspect", "--tls-verify=false", "--format", "{{.Digest}}" };
        if (credentials is not null) { args.Add("--creds"); args.Add(credentials); }
        args.Add($"docker://{Authority}/{repositoryAndTag}");
        ProcessResult result = EdgeProcess.Run("skopeo", args.ToArray());
        if (result.ExitCode != 0) throw new InvalidOperationException("skopeo inspect failed: " + result);
        return result.Stdout.Trim();
    }

    private void WaitReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited: {Log}");
            try
            {
                using HttpResponseMessage response = http.GetAsync($"http://{Authority}/v2/").Result;
                return; // 200 or 401: it answers
            }
            catch (AggregateException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"docker-registry did not answer on {Authority}: {Log}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
