namespace Zawaroom.Media;

/// <summary>Zawaroom:Media — the STUN/TURN servers and the SFU. Nothing set: peer to peer, no ICE servers.</summary>
public sealed class MediaOptions
{
    /// <summary>TURN (and STUN) URLs, comma-separated: <c>turn:host:3478?transport=udp,turns:host:5349</c>.</summary>
    public string? TurnUrls { get; set; }
    /// <summary>coturn's <c>static-auth-secret</c>: the shared secret of its REST-API credentials.</summary>
    public string? TurnSecret { get; set; }
    /// <summary>"all" (default) or "relay": browsers then send media only through TURN (no direct or server-reflexive paths).</summary>
    public string IceTransportPolicy { get; set; } = "all";
    /// <summary>How long one TURN credential is valid.</summary>
    public TimeSpan TurnTtl { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Janus's base URL (its HTTP API, e.g. <c>http://janus:8088/janus</c>); the browser reaches it at <see cref="JanusPublicUrl"/>.</summary>
    public string? JanusUrl { get; set; }
    /// <summary>The URL browsers use (Janus's WebSocket or HTTP API); JanusUrl when not set.</summary>
    public string? JanusPublicUrl { get; set; }
    /// <summary>The VideoRoom plugin's <c>admin_key</c>; room secrets and pins are derived from it.</summary>
    public string? JanusAdminKey { get; set; }
    /// <summary>Janus's <c>token_auth_secret</c> (signed tokens): the app signs each member's join tokens with it.</summary>
    public string? JanusTokenSecret { get; set; }
    /// <summary>How long a join token is valid; the browser asks for a fresh one before (POST /api/rooms/{id}/media).</summary>
    public TimeSpan JanusTokenTtl { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>The group size (people who hear each other) from which they hear each other through the SFU.</summary>
    public int SfuThreshold { get; set; } = 4;
    /// <summary>How often the app compares Janus's rooms with who may be in them (kicks, destroys).</summary>
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromSeconds(1);

    public bool TurnConfigured => !string.IsNullOrWhiteSpace(TurnUrls);
    public bool SfuConfigured => !string.IsNullOrWhiteSpace(JanusUrl) && !string.IsNullOrEmpty(JanusAdminKey) && !string.IsNullOrEmpty(JanusTokenSecret);

    public IReadOnlyList<string> TurnUrlList =>
        (TurnUrls ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
