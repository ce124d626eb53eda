using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Zawaroom.Live;

public sealed class LiveOptions
{
    /// <summary>
    /// How often queued moves are sent, per room and watched rectangle (<c>Zawaroom:Live:MoveTick</c>). A move
    /// waits up to one tick in the server (unless the room was quiet: <see cref="SendAtOnceWhenQuiet"/>); 50 ms
    /// halves the 100 ms tick's wait for 20 messages a second per client at most (tests/bench/presence/README.md).
    /// </summary>
    public TimeSpan MoveTick { get; set; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// Leading edge (<c>Zawaroom:Live:SendAtOnceWhenQuiet</c>): the first move in a room that had nothing sent
    /// for a whole tick goes out at once instead of waiting for the next tick; the moves after it coalesce to the
    /// tick as before. A room with one or two people walking shows them without the tick's wait; a busy room is
    /// never quiet, so it still gets at most one batch per watched rectangle a tick.
    /// </summary>
    public bool SendAtOnceWhenQuiet { get; set; } = true;
    /// <summary>How many ticks' sends may still be under way (slow readers) before the next tick waits for the oldest.</summary>
    public int MaxTicksInFlight { get; set; } = 20;
    /// <summary>How often the sweep renews this instance's connections and removes expired ones.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The rectangles watched in a room by connections that other instances handle. In-process every
/// connection's Viewport reaches this instance, so none is needed; with Azure SignalR Service any
/// instance may handle any connection's Viewport, so the views are read from the presence records.
/// </summary>
public interface ISharedViews
{
    Task<IReadOnlyCollection<ZoneView>> Watched(string siteId, string roomId, CancellationToken ct);

    /// <summary>How long a view set on one instance may take to reach what every instance reads here.</summary>
    TimeSpan Lag { get; }
}

/// <summary>In-process: every Viewport reaches this instance, so there is nothing shared to read.</summary>
public sealed class NoSharedViews : ISharedViews
{
    public static NoSharedViews Instance { get; } = new();
    public Task<IReadOnlyCollection<ZoneView>> Watched(string siteId, string roomId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyCollection<ZoneView>>([]);
    public TimeSpan Lag => TimeSpan.Zero;
}

/// <summary>
/// Collects moves and sends them once per tick, holding only the newest position per member. Each
/// rectangle of zones that someone in the room watches (<see cref="ZoneView"/>) gets one
/// <c>moved</c> batch with the moves inside it, sent to its group: a client gets one message per
/// tick, and a batch is serialised once for everyone watching the same rectangle. A move that
/// crosses a zone border counts for both zones, so watchers of the old zone see the avatar leave it.
/// </summary>
public sealed class MoveBatcher(IRoomBroadcaster broadcaster, IOptions<LiveOptions> options, TimeProvider clock, ILogger<MoveBatcher> logger,
    ISharedViews? shared = null, LiveMetrics? metrics = null)
    : BackgroundService
{
    readonly ConcurrentDictionary<(string Site, string Room, string Email), PendingMove> _pending = new();
    readonly ConcurrentDictionary<string, Watcher> _watching = new();
    /// <summary>Per room, when something of it was last handed to the transport (a tick or a leading-edge send).</summary>
    readonly ConcurrentDictionary<(string Site, string Room), long> _lastSent = new();
    /// <summary>One hand-over at a time (tick or leading edge), so a member's older position is never handed over after a newer one.</summary>
    readonly SemaphoreSlim _handing = new(1, 1);

    readonly record struct Watcher(string SiteId, string RoomId, ZoneView View, DateTimeOffset Since);

    /// <summary>
    /// With shared views, this instance's own record of a view only bridges the lag until every instance
    /// reads it from the shared ones; kept longer, it would outlive a connection whose end another instance
    /// handled (the memory and the sends to a group nobody is in would grow with every connection ever seen).
    /// </summary>
    TimeSpan LocalViewLifetime => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, shared!.Lag.Ticks * 5));

    public void Add(PendingMove move)
    {
        _pending.AddOrUpdate((move.SiteId, move.RoomId, move.Move.Email), static (_, m) => m,
            static (_, earlier, m) => m with { FromZone = earlier.FromZone }, move);
        if (options.Value.SendAtOnceWhenQuiet && ClaimLeadingEdge((move.SiteId, move.RoomId)) is { } room)
            // Not on the mover's call: the fan-out is the batcher's work, as on a tick.
            _ = Task.Run(() => Observe(BoundedFlush(CancellationToken.None, room), CancellationToken.None), CancellationToken.None);
    }

    /// <summary>The room, when nothing of it was sent for a whole tick and this caller is the one to send at once now.</summary>
    (string Site, string Room)? ClaimLeadingEdge((string Site, string Room) room)
    {
        var now = clock.GetTimestamp();
        if (!_lastSent.TryGetValue(room, out var last)) return _lastSent.TryAdd(room, now) ? room : null;
        if (clock.GetElapsedTime(last, now) < options.Value.MoveTick) return null;
        return _lastSent.TryUpdate(room, now, last) ? room : null;
    }

    /// <summary>Which rectangle a connection watches now (null: none, it left or ended).</summary>
    public void Watch(string siteId, string roomId, string connectionId, ZoneView? view)
    {
        if (view is { } v) _watching[connectionId] = new Watcher(siteId, roomId, v, clock.GetUtcNow());
        else _watching.TryRemove(connectionId, out _);
    }

    /// <summary>Sends everything queued; public so a test or benchmark can flush without waiting.</summary>
    public Task Flush(CancellationToken ct) => Flush(null, ct);

    /// <summary>Hands the queued moves (of one room, or all) to the transport, then waits for the sends.</summary>
    async Task Flush((string Site, string Room)? only, CancellationToken ct)
    {
        if (_pending.IsEmpty) return;
        List<Task> sends;
        await _handing.WaitAsync(ct);
        try
        {
            sends = await HandOver(only, ct);
        }
        finally { _handing.Release(); }
        await Task.WhenAll(sends);
    }

    async Task<List<Task>> HandOver((string Site, string Room)? only, CancellationToken ct)
    {
        var sends = new List<Task>();
        var byRoom = new Dictionary<(string Site, string Room), List<PendingMove>>();
        foreach (var (key, _) in _pending)
        {
            if (only is { } o && (key.Site != o.Site || key.Room != o.Room)) continue;
            if (!_pending.TryRemove(key, out var move)) continue;
            if (!byRoom.TryGetValue((move.SiteId, move.RoomId), out var moves)) byRoom[(move.SiteId, move.RoomId)] = moves = [];
            moves.Add(move);
        }
        if (byRoom.Count == 0) return sends;
        var handed = clock.GetTimestamp();
        foreach (var room in byRoom.Keys) _lastSent[room] = handed;
        var views = new Dictionary<(string Site, string Room), HashSet<ZoneView>>();
        var stale = shared is { Lag.Ticks: > 0 } ? clock.GetUtcNow() - LocalViewLifetime : DateTimeOffset.MinValue;
        foreach (var (id, w) in _watching)
        {
            if (w.Since < stale)
            {
                _watching.TryRemove(KeyValuePair.Create(id, w));
                continue;
            }
            if (!byRoom.ContainsKey((w.SiteId, w.RoomId))) continue;
            if (!views.TryGetValue((w.SiteId, w.RoomId), out var set)) views[(w.SiteId, w.RoomId)] = set = [];
            set.Add(w.View);
        }
        if (shared is not null)
            foreach (var room in byRoom.Keys)
            {
                var watched = await shared.Watched(room.Site, room.Room, ct);
                if (watched.Count == 0) continue;
                if (!views.TryGetValue(room, out var set)) views[room] = set = [];
                set.UnionWith(watched);
            }
        foreach (var (room, moves) in byRoom)
        {
            if (!views.TryGetValue(room, out var watched)) continue;
            foreach (var view in watched)
            {
                List<Moved>? batch = null;
                List<PendingMove>? pending = null;
                foreach (var m in moves)
                    if (view.Contains(m.FromZone) || view.Contains(m.ToZone))
                    {
                        (batch ??= []).Add(m.Move);
                        (pending ??= []).Add(m);
                    }
                if (batch is null) continue;
                sends.Add(broadcaster.SendToGroup(Groups.View(room.Site, room.Room, view), ClientMethods.Moved, batch, ct));
                metrics?.BatchSent(pending!);
            }
        }
        return sends;
    }

    /// <summary>
    /// The tick: every <see cref="LiveOptions.MoveTick"/> on a timer that does not drift, whether or
    /// not the previous tick's sends have all completed. A client that reads slowly (its send buffer
    /// full) holds back only its own messages, not everyone's next tick; up to
    /// <see cref="LiveOptions.MaxTicksInFlight"/> ticks may be pending before the loop waits for the oldest.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MoveTick, clock);
        var inFlight = new Queue<Task>();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            while (inFlight.Count > 0 && (inFlight.Peek().IsCompleted || inFlight.Count >= Math.Max(1, options.Value.MaxTicksInFlight)))
                await Observe(inFlight.Dequeue(), stoppingToken);
            var tick = BoundedFlush(stoppingToken);
            if (!tick.IsCompleted) inFlight.Enqueue(tick);
            else await Observe(tick, stoppingToken);
        }
    }

    /// <summary>
    /// How long one tick's sends (and its read of the shared views) may take before they are given up: a call
    /// that hangs must not hold a slot of <see cref="LiveOptions.MaxTicksInFlight"/> for ever, or, once every slot
    /// is held, stop the room's movement altogether.
    /// </summary>
    TimeSpan TickTimeout => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, options.Value.MoveTick.Ticks * Math.Max(1, options.Value.MaxTicksInFlight)));

    Task BoundedFlush(CancellationToken stoppingToken, (string Site, string Room)? only = null) =>
        Bounded.Run(t => Flush(only, t), TickTimeout, "Sending a tick's batches of moves was given up", stoppingToken);

    async Task Observe(Task tick, CancellationToken stoppingToken)
    {
        try
        {
            await tick;
        }
        // Whatever a tick throws (a timed-out HTTP call is an OperationCanceledException too), the next ticks go on.
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Sending a batch of moves failed.");
        }
    }
}
