using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zawaroom.Identity;

/// <summary>
/// Tokens of the local login (U6): HS256 JWTs bound to one site and one member, issued only when
/// <c>Zawaroom:Auth:LocalLogin</c> is on. The key is made once and kept in the data directory, so
/// tokens survive a restart of the local app.
/// </summary>
public sealed class LocalTokens
{
    public const string Issuer = "zawaroom-local";
    public const string Audience = "zawaroom";
    public const string SiteClaim = "zw_site";
    static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    readonly SymmetricSecurityKey _key;
    readonly TimeProvider _clock;
    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public LocalTokens(string keyFile, TimeProvider clock)
    {
        _clock = clock;
        _key = new SymmetricSecurityKey(Common.SigningKeyFile.LoadOrCreate(keyFile));
    }


    public string Issue(string siteId, string email, string name)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Subject = new ClaimsIdentity([new Claim("sub", email), new Claim("email", email), new Claim("name", name), new Claim(SiteClaim, siteId)]),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    public static bool LooksLocal(string token)
    {
        try
        {
            return new JsonWebToken(token).Issuer == Issuer;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>(siteId, email) of a valid local token, else null.</summary>
    public async Task<(string SiteId, string Email)?> Validate(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now.AddMinutes(1)) && expires is not null && expires > now;
            },
        });
        if (!result.IsValid) return null;
        var site = result.Claims.TryGetValue(SiteClaim, out var s) ? s as string : null;
        var email = result.Claims.TryGetValue("email", out var e) ? e as string : null;
        return site is null || email is null ? null : (site, email);
    }
}
