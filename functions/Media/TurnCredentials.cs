using System.Security.Cryptography;
using System.Text;

namespace Zawaroom.Media;

/// <summary>One entry of RTCConfiguration.iceServers.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

/// <summary>
/// coturn's REST-API credentials (use-auth-secret): username <c>{unix expiry}:{member}</c>,
/// credential base64(HMAC-SHA1(secret, username)). coturn checks both with the shared secret alone,
/// so nothing is stored and a credential simply stops working at its expiry.
/// </summary>
public static class TurnCredentials
{
    public static string Username(DateTimeOffset expires, string memberId) => $"{expires.ToUnixTimeSeconds()}:{memberId}";

    public static string Credential(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));

    /// <summary>The ICE servers for one member now: TURN with a fresh credential (STUN URLs carry none), or none when unconfigured.</summary>
    public static (IReadOnlyList<IceServer> Servers, DateTimeOffset? Expires) For(MediaOptions options, string memberId, DateTimeOffset now)
    {
        if (!options.TurnConfigured) return ([], null);
        var urls = options.TurnUrlList;
        var stun = urls.Where(u => u.StartsWith("stun:", StringComparison.OrdinalIgnoreCase)).ToList();
        var turn = urls.Except(stun).ToList();
        var servers = new List<IceServer>();
        if (stun.Count > 0) servers.Add(new IceServer(stun));
        if (turn.Count == 0 || string.IsNullOrEmpty(options.TurnSecret)) return (servers, null);
        var expires = now + options.TurnTtl;
        var username = Username(expires, memberId);
        servers.Add(new IceServer(turn, username, Credential(options.TurnSecret, username)));
        return (servers, expires);
    }
}
