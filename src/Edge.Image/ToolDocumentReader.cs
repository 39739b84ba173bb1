using System.Collections.Generic;
using System.Text.Json;
using static Edge.Oci.Json.FastJson;

namespace Edge.Image;

/// <summary>
/// Readers (see FastJson) for the documents of other tools that edge reads: docker's and podman's auth
/// file, a token service's answer, a registry's error body and a `docker save` archive's manifest.json.
/// </summary>
public static class ToolDocumentReader
{
    public static readonly Read<AuthFile> AuthFile = ReadAuthFile;
    public static readonly Read<TokenResponse> Token = ReadToken;
    public static readonly Read<RegistryErrorBody> RegistryErrors = ReadErrors;
    public static readonly Read<List<DockerArchiveEntry>> DockerArchive = ReadDockerArchive;

    private static AuthFile ReadAuthFile(ref Utf8JsonReader r)
    {
        var file = new AuthFile();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "auths"u8)) file.Auths = Map(ref r, ReadAuthEntry);
            else Skip(ref r);
        }
        return file;
    }

    private static AuthEntry ReadAuthEntry(ref Utf8JsonReader r)
    {
        var e = new AuthEntry();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "auth"u8)) e.Auth = NStr(ref r);
            else if (Is(ref r, "username"u8)) e.Username = NStr(ref r);
            else if (Is(ref r, "password"u8)) e.Password = NStr(ref r);
            else if (Is(ref r, "identitytoken"u8)) e.IdentityToken = NStr(ref r);
            else Skip(ref r);
        }
        return e;
    }

    private static TokenResponse ReadToken(ref Utf8JsonReader r)
    {
        var t = new TokenResponse();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "token"u8)) t.Token = NStr(ref r);
            else if (Is(ref r, "access_token"u8)) t.AccessToken = NStr(ref r);
            // A lifetime that is not a small integer is no lifetime: the default applies.
            else if (Is(ref r, "expires_in"u8)) t.ExpiresIn = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int s) ? s : null;
            else Skip(ref r);
        }
        return t;
    }

    private static RegistryErrorBody ReadErrors(ref Utf8JsonReader r)
    {
        var body = new RegistryErrorBody();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "errors"u8)) body.Errors = List(ref r, ReadError);
            else Skip(ref r);
        }
        return body;
    }

    private static RegistryError ReadError(ref Utf8JsonReader r)
    {
        var e = new RegistryError();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "code"u8)) e.Code = NStr(ref r);
            else if (Is(ref r, "message"u8)) e.Message = NStr(ref r);
            else Skip(ref r);
        }
        return e;
    }

    private static List<DockerArchiveEntry> ReadDockerArchive(ref Utf8JsonReader r) => Items(ref r, ReadDockerArchiveEntry);

    private static DockerArchiveEntry ReadDockerArchiveEntry(ref Utf8JsonReader r)
    {
        var e = new DockerArchiveEntry { Config = null!, Layers = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "Config"u8)) { e.Config = Str(ref r); seen |= 1; }
            else if (Is(ref r, "RepoTags"u8)) e.RepoTags = Strings(ref r);
            else if (Is(ref r, "Layers"u8)) { e.Layers = RequiredStrings(ref r); seen |= 2; }
            else Skip(ref r);
        }
        Require(seen, "Config", "Layers");
        return e;
    }
}
