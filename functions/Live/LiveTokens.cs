using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zawaroom.Live;

/// <summary>What an access token of the live room says: this member, in this room of this site.</summary>
public sealed record LiveTicket(string SiteId, string RoomId, string Email, string Name);

/// <summary>
/// Access tokens for the room hub, issued by <c>POST /api/rooms/{id}/enter</c> after the entry
/// check: HS256 JWTs bound to site, room and member, short-lived (a reconnect after expiry enters
/// again). The key lives in the data directory, so every process sharing it accepts the token.
/// </summary>
public sealed class LiveTokens
{
    const string Issuer = "zawaroom-live";
    const string Audience = "zawaroom-room-hub";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    readonly SymmetricSecurityKey _key;
    readonly TimeProvider _clock;
    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public LiveTokens(string keyFile, TimeProvider clock)
    {
        _clock = clock;
        _key = new SymmetricSecurityKey(Common.SigningKeyFile.LoadOrCreate(keyFile));
    }


    public string Issue(LiveTicket ticket)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Subject = new ClaimsIdentity([
                new Claim("nameid", ticket.Email), new Claim("name", ticket.Name),
                new Claim("zw_site", ticket.SiteId), new Claim("zw_room", ticket.RoomId)]),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    public async Task<LiveTicket?> Validate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
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
        string? Claim(string name) => result.Claims.TryGetValue(name, out var v) ? v as string : null;
        return Claim("zw_site") is { } site && Claim("zw_room") is { } room && Claim("nameid") is { } email
            ? new LiveTicket(site, room, email, Claim("name") ?? email)
            : null;
    }
}
