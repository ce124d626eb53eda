using System.Collections.Concurrent;
using Zawaroom.Presence;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary>
/// The rectangles a room's connections watch, read from their presence records (the upstream keeps
/// each connection's zones there, <see cref="SessionState"/>), so a move handled by one instance reaches
/// watchers whose Viewport another instance handled. Read at most once a second per room.
/// </summary>
public sealed class PresenceViews(IPresenceStore presence, TimeProvider clock) : ISharedViews
{
    static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    public TimeSpan Lag => Lifetime;
    readonly ConcurrentDictionary<(string Site, string Room), (DateTimeOffset Until, IReadOnlyCollection<ZoneView> Views)> _cache = new();

    public async Task<IReadOnlyCollection<ZoneView>> Watched(string siteId, string roomId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue((siteId, roomId), out var cached) && cached.Until > now) return cached.Views;
        var views = (await presence.InRoom(siteId, roomId, ct))
            .Select(r => r.Session is { } s ? ZoneView.Of(s.Zones.Select(z => (z.Column, z.Row))) : null)
            .OfType<ZoneView>()
            .ToHashSet();
        _cache[(siteId, roomId)] = (now + Lifetime, views);
        return views;
    }
}
