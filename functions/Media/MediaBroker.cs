using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Zawaroom.Live;
using Zawaroom.Presence;

namespace Zawaroom.Media;

/// <summary>The SFU part of a media answer: the one Janus room the member may be in now, and how to join it.</summary>
public sealed record SfuAnswer(string Group, string Url, ulong Room, ulong Feed, string Pin, string SessionToken, string RoomToken, DateTimeOffset Expires);

/// <summary>
/// What a member's browser needs for voice and video (the <c>media</c> of POST /enter and of
/// POST /rooms/{id}/media): ICE servers with fresh TURN credentials, and, when the member's group
/// goes through the SFU, a pass for exactly that group's Janus room. <c>sfuState</c>: "off" (no
/// SFU configured or not needed), "ready", or "unreachable" (the room falls back to peer to peer).
/// </summary>
public sealed record MediaAnswer(IReadOnlyList<IceServer> IceServers, DateTimeOffset? IceExpires, string IceTransportPolicy, bool SfuConfigured,
    int SfuThreshold, string SfuState, SfuAnswer? Sfu);

/// <summary>
/// Decides and hands out media access (L3 over TURN and the SFU) and remembers which Janus rooms the
/// app opened, for <see cref="MediaReconciler"/> to close and police them.
/// </summary>
public sealed class MediaBroker(IOptions<MediaOptions> options, IPresenceStore presence, IRoomLayout layout, TimeProvider clock,
    IServiceProvider services, ILogger<MediaBroker> log)
{
    /// <summary>A Janus room the app opened: which live room and group it serves, and when it last handed out a pass for it.</summary>
    public sealed record OpenRoom(string SiteId, string RoomId, string Group, DateTimeOffset PassedAt);

    readonly ConcurrentDictionary<ulong, OpenRoom> _open = new();
    MediaOptions O => options.Value;
    string Policy => string.Equals(O.IceTransportPolicy, "relay", StringComparison.OrdinalIgnoreCase) ? "relay" : "all";

    public IReadOnlyDictionary<ulong, OpenRoom> Open => _open;

    /// <summary>The media answer for a member of a room (they need not be connected yet: then no SFU part).</summary>
    public async Task<MediaAnswer> For(string siteId, string roomId, string email, string? siteMediaUrl, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (ice, iceExpires) = TurnCredentials.For(O, email, now);
        if (!O.SfuConfigured) return new MediaAnswer(ice, iceExpires, Policy, O.SfuConfigured, O.SfuThreshold, "off", null);
        var (people, geometry) = await People(siteId, roomId, ct);
        var group = MediaPlan.GroupOf(email, people, geometry.MeetingRooms, O.SfuThreshold);
        if (group is null) return new MediaAnswer(ice, iceExpires, Policy, O.SfuConfigured, O.SfuThreshold, "off", null);
        var room = RoomId(siteId, roomId, group.Value.Key);
        try
        {
            var sfu = services.GetRequiredService<ISfu>();
            if (!_open.ContainsKey(room)) await sfu.Open(room, ct);
            // The reconciler closes a room only a while after its last pass: the member may be on the way in.
            _open[room] = new OpenRoom(siteId, roomId, group.Value.Key, now);
            var pass = sfu.Pass(room, FeedId(room, email), now + O.JanusTokenTtl);
            return new MediaAnswer(ice, iceExpires, Policy, O.SfuConfigured, O.SfuThreshold, "ready",
                new SfuAnswer(group.Value.Key, string.IsNullOrWhiteSpace(siteMediaUrl) ? pass.Url : siteMediaUrl, pass.Room, pass.Feed, pass.Pin,
                    pass.SessionToken, pass.RoomToken, pass.Expires));
        }
        catch (Exception e) when (e is HttpRequestException or SfuException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning(e, "The SFU is unreachable for site {Site} room {Room}; the room stays peer to peer", siteId, roomId);
            return new MediaAnswer(ice, iceExpires, Policy, O.SfuConfigured, O.SfuThreshold, "unreachable", null);
        }
    }

    /// <summary>Who is in the live room now, as the hearing rule sees them (one entry per person).</summary>
    public async Task<(IReadOnlyList<Hearer> People, RoomGeometry Geometry)> People(string siteId, string roomId, CancellationToken ct)
    {
        var geometry = await layout.Geometry(siteId, roomId, ct);
        var records = await presence.InRoom(siteId, roomId, ct);
        var people = records.GroupBy(r => r.Email).Select(g => new Hearer(g.Key, RoomCommands.ListenerOf(g.First(), geometry))).ToList();
        return (people, geometry);
    }

    public void Forget(ulong room) => _open.TryRemove(room, out _);

    /// <summary>The Janus room of a group: a stable 48-bit number (JavaScript reads it exactly), never 0.</summary>
    public static ulong RoomId(string siteId, string roomId, string group) => Number($"room\n{siteId}\n{roomId}\n{group}");

    /// <summary>The participant id a member has in a Janus room; anyone in it under another id is removed.</summary>
    public static ulong FeedId(ulong room, string email) => Number($"feed\n{room}\n{email}");

    static ulong Number(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var n = BitConverter.ToUInt64(hash, 0) & 0xFFFF_FFFF_FFFFUL;
        return n == 0 ? 1 : n;
    }
}
