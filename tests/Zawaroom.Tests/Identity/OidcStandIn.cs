using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zawaroom.Tests.Identity;

/// <summary>
/// A local stand-in of Entra ID and Azure AD B2C on 127.0.0.1: the documented v2.0 OpenID metadata
/// (multi-tenant "organizations" with the "{tenantid}" issuer template, one tenant, a B2C user flow)
/// and their JWKS, plus token minting with the stand-in's own RSA keys. Counts what it serves.
/// </summary>
public sealed class OidcStandIn : IAsyncDisposable
{
    public const string B2cDomain = "zawaroomtest.onmicrosoft.com";
    public const string B2cPolicy = "B2C_1_susi";
    public const string B2cTenantId = "b2c00000-0000-4000-8000-000000000b2c";

    readonly WebApplication _app;
    readonly RsaSecurityKey _aadKey = NewKey("aad-key-1");
    readonly RsaSecurityKey _b2cKey = NewKey("b2c-key-1");
    readonly ConcurrentDictionary<string, int> _served = new();

    public string Base { get; private set; } = "";
    public int Served(string what) => _served.GetValueOrDefault(what);

    OidcStandIn(WebApplication app) => _app = app;

    public static async Task<OidcStandIn> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new OidcStandIn(app);
        standIn.Map();
        await app.StartAsync();
        standIn.Base = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return standIn;
    }

    static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public string AadIssuer(string tenant) => $"{Base}/{tenant}/v2.0";
    public string B2cIssuer => $"{Base}/{B2cTenantId}/v2.0/";

    void Map()
    {
        _app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant) =>
        {
            _served.AddOrUpdate("aad-metadata", 1, (_, n) => n + 1);
            var multi = tenant is "organizations" or "common";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = multi ? $"{Base}/{{tenantid}}/v2.0" : AadIssuer(tenant),
                ["jwks_uri"] = $"{Base}/{tenant}/discovery/v2.0/keys",
                ["authorization_endpoint"] = $"{Base}/{tenant}/oauth2/v2.0/authorize",
                ["token_endpoint"] = $"{Base}/{tenant}/oauth2/v2.0/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["response_types_supported"] = new[] { "code", "id_token" },
                ["subject_types_supported"] = new[] { "pairwise" },
            });
        });
        _app.MapGet("/{tenant}/discovery/v2.0/keys", (string tenant) =>
        {
            _served.AddOrUpdate("aad-keys", 1, (_, n) => n + 1);
            return Jwks(_aadKey);
        });
        _app.MapGet("/{domain}/{policy}/v2.0/.well-known/openid-configuration", (string domain, string policy) =>
        {
            if (domain != B2cDomain || policy != B2cPolicy) return Results.NotFound();
            _served.AddOrUpdate("b2c-metadata", 1, (_, n) => n + 1);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = B2cIssuer,
                ["jwks_uri"] = $"{Base}/{domain}/{policy}/discovery/v2.0/keys",
                ["authorization_endpoint"] = $"{Base}/{domain}/{policy}/oauth2/v2.0/authorize",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["response_types_supported"] = new[] { "code", "id_token" },
                ["subject_types_supported"] = new[] { "pairwise" },
            });
        });
        _app.MapGet("/{domain}/{policy}/discovery/v2.0/keys", (string domain, string policy) => Jwks(_b2cKey));
    }

    static IResult Jwks(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(false);
        return Results.Json(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", kid = key.KeyId, alg = "RS256",
                      n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    /// <summary>An Entra ID v2.0 access token as a tenant's user would bring it.</summary>
    public string AadToken(string tenant, string email, string audience, DateTimeOffset? expires = null, string? issuer = null,
        string? tid = null, string? name = "Alice Example", bool otherKey = false, string emailClaim = "preferred_username")
    {
        var claims = new Dictionary<string, object> { ["tid"] = tid ?? tenant, [emailClaim] = email, ["oid"] = Guid.NewGuid().ToString(), ["ver"] = "2.0" };
        if (name is not null) claims["name"] = name;
        return Sign(issuer ?? AadIssuer(tenant), audience, claims, expires, otherKey ? NewKey(_aadKey.KeyId!) : _aadKey);
    }

    /// <summary>A B2C user flow's token: the e-mail is in the "emails" array.</summary>
    public string B2cToken(string email, string audience, DateTimeOffset? expires = null, string name = "Bob B2C") =>
        Sign(B2cIssuer, audience, new Dictionary<string, object>
        {
            ["emails"] = new[] { email },
            ["name"] = name,
            ["tfp"] = B2cPolicy,
            ["tid"] = B2cTenantId,
            ["ver"] = "1.0",
        }, expires, _b2cKey);

    static string Sign(string issuer, string audience, Dictionary<string, object> claims, DateTimeOffset? expires, RsaSecurityKey key)
    {
        var exp = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).UtcDateTime;
        var issued = exp.AddHours(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = exp,
            Claims = claims,
            Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString("N"))]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
