using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Zawaroom.Live;

public sealed class LiveOptions
{
    /// <summary>How often queued moves are sent, per room and zone.</summary>
    public TimeSpan MoveTick { get; set; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How often the sweep renews this instance's connections and removes expired ones.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Collects moves and sends them once per tick as one <c>moved</c> batch per zone, holding only
/// the newest position per member. A move that crosses a zone border goes to both zones, so
/// watchers of the old zone see the avatar leave it.
/// </summary>
public sealed class MoveBatcher(IRoomBroadcaster broadcaster, IOptions<LiveOptions> options, TimeProvider clock, ILogger<MoveBatcher> logger)
    : BackgroundService
{
    readonly ConcurrentDictionary<(string Site, string Room, string Email), PendingMove> _pending = new();

    public void Add(PendingMove move)
    {
        _pending.AddOrUpdate((move.SiteId, move.RoomId, move.Move.Email), move,
            (_, earlier) => move with { FromZone = earlier.FromZone });
    }

    /// <summary>Sends everything queued; public so a test or benchmark can flush without waiting.</summary>
    public async Task Flush(CancellationToken ct)
    {
        if (_pending.IsEmpty) return;
        var batch = new List<PendingMove>();
        foreach (var key in _pending.Keys)
            if (_pending.TryRemove(key, out var move)) batch.Add(move);
        var byZone = new Dictionary<string, List<Moved>>();
        foreach (var move in batch)
        {
            foreach (var zone in move.FromZone == move.ToZone ? [move.ToZone] : new[] { move.FromZone, move.ToZone })
            {
                var group = Groups.Zone(move.SiteId, move.RoomId, zone);
                if (!byZone.TryGetValue(group, out var list)) byZone[group] = list = [];
                list.Add(move.Move);
            }
        }
        await Task.WhenAll(byZone.Select(z => broadcaster.SendToGroup(z.Key, ClientMethods.Moved, z.Value, ct)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MoveTick, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Flush(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sending a batch of moves failed.");
            }
        }
    }
}
