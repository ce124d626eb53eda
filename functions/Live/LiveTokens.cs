using System.Security.Claims;
using Zawaroom.Common;

namespace Zawaroom.Live;

/// <summary>What an access token of the live room says: this member, in this room of this site.</summary>
public sealed record LiveTicket(string SiteId, string RoomId, string Email, string Name);

/// <summary>
/// Access tokens for the room hub, issued by <c>POST /api/rooms/{id}/enter</c> after the entry
/// check: bound to site, room and member, short-lived (a reconnect after expiry enters again).
/// </summary>
public sealed class LiveTokens(string keyFile, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    readonly SignedTokens _tokens = new(keyFile, "zawaroom-live", "zawaroom-room-hub", Lifetime, clock);

    public string Issue(LiveTicket ticket) => _tokens.Issue(
        new Claim("nameid", ticket.Email), new Claim("name", ticket.Name),
        new Claim("zw_site", ticket.SiteId), new Claim("zw_room", ticket.RoomId));

    public async Task<LiveTicket?> Validate(string? token)
    {
        var claims = await _tokens.Validate(token);
        if (claims is null) return null;
        return claims.TryGetValue("zw_site", out var site) && claims.TryGetValue("zw_room", out var room) && claims.TryGetValue("nameid", out var email)
            ? new LiveTicket(site, room, email, claims.GetValueOrDefault("name") ?? email)
            : null;
    }
}
