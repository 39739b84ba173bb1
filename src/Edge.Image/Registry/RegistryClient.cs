using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.Image;

namespace Edge.Image.Registry;

/// <summary>
/// An OCI distribution (registry v2) client for one registry host: endpoint and scheme, the
/// <c>WWW-Authenticate</c> Bearer and Basic flows with tokens cached per scope, redirects (credentials are
/// never sent to another host), and retries with backoff on 5xx, 429 and broken connections.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    public static readonly string ManifestAccept = string.Join(", ",
        MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest);

    private readonly HttpClient _http;
    private readonly RegistryOptions _options;
    private readonly Dictionary<string, (string Header, DateTime Expires)> _auth = new();
    private readonly object _authLock = new();
    private readonly bool _plainAllowed;
    private volatile Uri _baseUri;
    private volatile string? _certificateProblem;

    public RegistryClient(string host, RegistryOptions options, HttpMessageHandler? handler = null)
    {
        Host = host;
        _options = options;
        string endpoint = host == ImageReference.DockerHub ? "registry-1.docker.io" : host;
        _plainAllowed = IsPlainHttpAllowed(host, options.InsecureHosts);
        _baseUri = new Uri($"https://{endpoint}/v2/");
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // AutomaticDecompression is left unset (None): setting it, even to None, keeps HttpClient's decompression
            // handler and with it brotli's encoder and decoder, 0.86 MB of the binary (bench/results/size.md).
            ConnectTimeout = options.StallTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                // The system's CA store decides; this only remembers why a certificate was refused, so that the
                // error says so and a refused certificate is never "fixed" by falling back to plain HTTP.
                RemoteCertificateValidationCallback = (_, _, _, errors) =>
                {
                    if (errors != System.Net.Security.SslPolicyErrors.None) _certificateProblem = errors.ToString();
                    return errors == System.Net.Security.SslPolicyErrors.None;
                },
            },
        }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("edge", "0.1"));
    }

    public string Host { get; }
    /// <summary>https://host/v2/, or http:// once a loopback or --insecure-registry host turned out not to speak TLS.</summary>
    public Uri BaseUri => _baseUri;
    public RegistryOptions Options => _options;

    /// <summary>
    /// Whether plain HTTP may be used: for loopback registries and hosts named with --insecure-registry, and
    /// then only when the host does not speak TLS at all (as docker treats insecure registries).
    /// </summary>
    public static bool IsPlainHttpAllowed(string host, IReadOnlyCollection<string> insecure)
    {
        foreach (string h in insecure)
            if (h.Equals(host, StringComparison.OrdinalIgnoreCase)) return true;
        string name = host;
        if (name.StartsWith('[')) name = name[1..name.IndexOf(']')];
        else if (name.LastIndexOf(':') is int colon and > 0) name = name[..colon];
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name, out IPAddress? address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// Sends a GET (or HEAD) for <paramref name="path"/> under /v2/ with pull access to
    /// <paramref name="repository"/>. Returns the final response (2xx, or an error status after retries),
    /// which the caller disposes.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string repository, string path,
        Action<HttpRequestMessage>? configure, CancellationToken cancel)
    {
        string scope = $"repository:{repository}:pull";
        Uri start = new Uri(BaseUri, path);
        bool authenticated = false;
        for (int attempt = 1; ; attempt++)
        {
            Uri uri = start;
            for (int redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(method, uri);
                configure?.Invoke(request);
                // Credentials go to the registry itself only, and only as it was reached: a redirect to another
                // host, or to plain HTTP on the same one, gets none.
                bool sameHost = uri.Authority.Equals(BaseUri.Authority, StringComparison.OrdinalIgnoreCase) && uri.Scheme == BaseUri.Scheme;
                if (sameHost && CachedAuth(scope) is string header) request.Headers.TryAddWithoutValidation("Authorization", header);

                HttpResponseMessage response;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    timeout.CancelAfter(_options.StallTimeout);
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.SecureConnectionError && _certificateProblem is null
                    && _plainAllowed && uri.Scheme == "https" && sameHost)
                {
                    _baseUri = new Uri("http://" + BaseUri.Authority + BaseUri.AbsolutePath);
                    start = new Uri(BaseUri, path);
                    Trace($"{Host} does not speak TLS; using plain HTTP (loopback or --insecure-registry)");
                    attempt--;
                    goto nextAttempt;
                }
                catch (HttpRequestException ex) when (_certificateProblem is string problem && ex.HttpRequestError == HttpRequestError.SecureConnectionError)
                {
                    throw new ImageException($"{Host}: TLS certificate refused ({problem}): is the registry's CA in the system store (or $SSL_CERT_FILE)?", ex);
                }
                catch (Exception ex) when (IsTransient(ex, cancel) && attempt < _options.MaxAttempts)
                {
                    Trace($"{method} {uri}: {Describe(ex)}; retrying");
                    await Task.Delay(_options.Backoff(attempt + 1), cancel).ConfigureAwait(false);
                    goto nextAttempt;
                }
                catch (Exception ex) when (IsTransient(ex, cancel))
                {
                    throw new ImageException($"{Host}: {Describe(ex)} (after {attempt} tries)", ex);
                }

                int status = (int)response.StatusCode;
                AuthChallenge? challenge = status == 401 ? AuthChallenge.Parse(string.Join(", ", response.Headers.WwwAuthenticate)) : null;
                if (challenge is not null && sameHost && !authenticated)
                {
                    authenticated = true;
                    response.Dispose();
                    await AuthenticateAsync(challenge, scope, cancel).ConfigureAwait(false);
                    goto nextAttempt;
                }
                if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is Uri location)
                {
                    response.Dispose();
                    if (redirects >= 5) throw new ImageException($"{Host}: too many redirects for {start}");
                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (uri.Scheme is not ("https" or "http"))
                        throw new ImageException($"{Host}: redirected to a {Printable.Short(uri.Scheme)}: URL, which edge does not follow (only https and http)");
                    Trace($"{method} redirected to {uri.GetLeftPart(UriPartial.Path)}");
                    continue;
                }
                if ((status >= 500 || status == 429) && attempt < _options.MaxAttempts)
                {
                    TimeSpan delay = RetryAfter(response) ?? _options.Backoff(attempt + 1);
                    Trace($"{method} {uri}: {status}; retrying in {delay.TotalMilliseconds:0} ms");
                    response.Dispose();
                    await Task.Delay(delay, cancel).ConfigureAwait(false);
                    goto nextAttempt;
                }
                return response;
            }
        nextAttempt:;
        }
    }

    /// <summary>
    /// GET /v2/: checks that the host speaks the distribution API (200, or 401 before a login) and settles
    /// HTTPS or plain HTTP and the login for <paramref name="repository"/> before any content moves.
    /// </summary>
    public async Task PingAsync(string repository, string display, CancellationToken cancel)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, repository, "", null, cancel).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Unauthorized) return;
        int status = (int)response.StatusCode;
        if (status == 429 || status >= 500) throw await ErrorAsync(response, display, "registry").ConfigureAwait(false);
        throw new RegistryException($"{display}: {Host} is not an OCI distribution registry (GET {BaseUri} answered {(int)response.StatusCode})", response.StatusCode);
    }

    /// <summary>Fetches a manifest or index by tag or digest, capped in size. The caller verifies the digest.</summary>
    public async Task<(byte[] Content, string? MediaType, string? DigestHeader)> GetManifestAsync(
        string repository, string reference, string display, CancellationToken cancel)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, repository, $"{repository}/manifests/{reference}",
            r => r.Headers.TryAddWithoutValidation("Accept", ManifestAccept), cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, display, "manifest").ConfigureAwait(false);
        byte[] content = await ReadCappedAsync(response, _options.MaxManifestBytes, "manifest", display, cancel).ConfigureAwait(false);
        string? digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? string.Join("", values) : null;
        return (content, response.Content.Headers.ContentType?.MediaType, digest);
    }

    /// <summary>One registry error as a line: what, status, and the registry's own code and message.</summary>
    public async Task<RegistryException> ErrorAsync(HttpResponseMessage response, string display, string what)
    {
        string detail = "";
        try
        {
            byte[] body = await ReadCappedAsync(response, _options.MaxErrorBytes, "error response", display, CancellationToken.None).ConfigureAwait(false);
            if (FastJson.TryRead(body, ToolDocumentReader.RegistryErrors, out RegistryErrorBody errors) && errors.Errors is { Count: > 0 } list)
                detail = " " + string.Join("; ", list.ConvertAll(e => string.IsNullOrEmpty(e.Message) ? e.Code ?? "" : $"{e.Code}: {e.Message}"));
        }
        catch (Exception ex) when (ex is IOException or ImageException or HttpRequestException or OperationCanceledException)
        {
            // The status line says enough.
        }
        int status = (int)response.StatusCode;
        string meaning = status switch
        {
            401 => $"unauthorized (check the credentials for {Host})",
            403 => "access denied",
            404 => what + " not found",
            429 => "too many requests (rate limited)",
            _ => $"{what}: {Printable.Short(response.ReasonPhrase ?? "error")}",
        };
        return new RegistryException($"{display}: {meaning} ({status}{Printable.Short(detail)})", response.StatusCode);
    }

    /// <summary>
    /// A whole response body of at most <paramref name="cap"/> bytes (manifests, tokens, error bodies: the
    /// registry decides their size, edge decides what it holds in memory), read within the client's pace.
    /// </summary>
    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, long cap, string what, string display, CancellationToken cancel)
    {
        if (response.Content.Headers.ContentLength > cap)
            throw new ImageException($"{display}: {what} is {response.Content.Headers.ContentLength} bytes, more than the {cap} bytes allowed");
        using var pace = new ResponsePace(_options, cancel);
        try
        {
            using Stream body = await response.Content.ReadAsStreamAsync(pace.Token).ConfigureAwait(false);
            var buffer = new MemoryStream();
            byte[] chunk = new byte[16 << 10];
            int n;
            while ((n = await pace.ReadAsync(body, chunk).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > cap) throw new ImageException($"{display}: {what} is larger than the {cap} bytes allowed");
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        catch (Exception ex) when (pace.IsDeadline(ex) || (ex is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            throw new ImageException($"{display}: {what} from {Host}: timed out", ex);
        }
        catch (TransferTooSlowException ex)
        {
            throw new ImageException($"{display}: {what} from {Host}: {ex.Message}", ex);
        }
    }

    private string? CachedAuth(string scope)
    {
        lock (_authLock)
        {
            if (_auth.TryGetValue(scope, out var entry) && entry.Expires > DateTime.UtcNow) return entry.Header;
            return null;
        }
    }

    private async Task AuthenticateAsync(AuthChallenge challenge, string scope, CancellationToken cancel)
    {
        Credential? credential = _options.Credentials.Find(Host);
        string header;
        DateTime expires;
        if (challenge is { IsBearer: true })
        {
            (header, expires) = await FetchTokenAsync(challenge, scope, credential, cancel).ConfigureAwait(false);
        }
        else if (challenge is { IsBasic: true })
        {
            if (credential is null)
                throw new RegistryException($"{Host}: the registry requires a login and there are no credentials for {Host} in {AuthFileName()}", HttpStatusCode.Unauthorized);
            header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}"));
            expires = DateTime.MaxValue;
        }
        else
        {
            throw new RegistryException($"{Host}: unsupported authentication challenge \"{challenge.Scheme}\"", HttpStatusCode.Unauthorized);
        }
        lock (_authLock) _auth[scope] = (header, expires);
    }

    private async Task<(string Header, DateTime Expires)> FetchTokenAsync(AuthChallenge challenge, string scope, Credential? credential, CancellationToken cancel)
    {
        string? realm = challenge["realm"];
        if (realm is null || !Uri.TryCreate(realm, UriKind.Absolute, out Uri? realmUri) || realmUri.Scheme is not ("https" or "http"))
            throw new RegistryException($"{Host}: bearer challenge without a valid realm (\"{realm}\")", HttpStatusCode.Unauthorized);
        var query = new StringBuilder();
        if (challenge["service"] is string service) query.Append("service=").Append(Uri.EscapeDataString(service));
        query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(challenge["scope"] ?? scope));
        var tokenUri = new UriBuilder(realmUri) { Query = (realmUri.Query.Length > 1 ? realmUri.Query[1..] + "&" : "") + query }.Uri;

        // Credentials never travel in clear text to a host the user did not name: a plain-HTTP realm gets them
        // only when it is loopback or a --insecure-registry host (docs/security.md).
        if (credential is not null && realmUri.Scheme == "http" && !IsPlainHttpAllowed(realmUri.Authority, _options.InsecureHosts))
            throw new RegistryException($"{Host}: the token service {Printable.Short(realmUri.GetLeftPart(UriPartial.Authority))} is plain HTTP, and edge sends credentials over plain HTTP only to loopback and --insecure-registry hosts", HttpStatusCode.Unauthorized);
        for (int attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri);
            if (credential is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
            HttpResponseMessage response;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(_options.StallTimeout);
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex, cancel))
            {
                if (attempt >= _options.MaxAttempts) throw new ImageException($"{Host}: token service {realmUri.Authority}: {Describe(ex)}", ex);
                await Task.Delay(_options.Backoff(attempt + 1), cancel).ConfigureAwait(false);
                continue;
            }
            using (response)
            {
                int status = (int)response.StatusCode;
                if ((status >= 500 || status == 429) && attempt < _options.MaxAttempts)
                {
                    await Task.Delay(RetryAfter(response) ?? _options.Backoff(attempt + 1), cancel).ConfigureAwait(false);
                    continue;
                }
                if (status is 401 or 403)
                    throw new RegistryException($"{Host}: token service {realmUri.Authority} refused {(credential is null ? "anonymous access" : "the credentials for " + Host + " in " + AuthFileName())}: {status}", response.StatusCode);
                if (!response.IsSuccessStatusCode)
                    throw new RegistryException($"{Host}: token service {realmUri.Authority}: {status} {response.ReasonPhrase}", response.StatusCode);
                byte[] body = await ReadCappedAsync(response, _options.MaxTokenBytes, "token", $"{Host}: token service {realmUri.Authority}", cancel).ConfigureAwait(false);
                TokenResponse? token = FastJson.TryRead(body, ToolDocumentReader.Token, out TokenResponse read) ? read : null;
                string? value = token?.Token is { Length: > 0 } t ? t : token?.AccessToken;
                if (string.IsNullOrEmpty(value)) throw new ImageException($"{Host}: token service {realmUri.Authority} returned no token");
                int lifetime = token!.ExpiresIn is > 0 and int s ? s : 60;
                Trace($"token for {scope} from {realmUri.Authority}, {lifetime} s");
                return ("Bearer " + value, DateTime.UtcNow.AddSeconds(Math.Max(1, lifetime - 10)));
            }
        }
    }

    private string AuthFileName() => _options.Credentials.Path ?? "~/.docker/config.json or $REGISTRY_AUTH_FILE";

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? retry = response.Headers.RetryAfter;
        TimeSpan? delay = retry?.Delta ?? (retry?.Date is DateTimeOffset at ? at - DateTimeOffset.UtcNow : null);
        if (delay is null) return null;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : delay;
    }

    /// <summary>Failures worth another try: connection errors and timeouts, not the caller's cancellation.</summary>
    public static bool IsTransient(Exception ex, CancellationToken cancel) =>
        ex is HttpRequestException or IOException or SocketException || (ex is OperationCanceledException && !cancel.IsCancellationRequested);

    public static string Describe(Exception ex) => ErrorText.Describe(ex);

    private void Trace(string message) => _options.Trace?.Invoke(message);

    public void Dispose() => _http.Dispose();
}
