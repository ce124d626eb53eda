using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zawaroom.Common;
using Zawaroom.Logs;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>
/// The realtime port: push to a room, to zones, to connections; group membership; ending a
/// connection. In-process: the ASP.NET Core SignalR hub. On Azure: SignalR Service's REST API.
/// </summary>
public interface IRoomBroadcaster
{
    Task Send(Audience to, string method, object payload, CancellationToken ct);
    Task SendToGroup(string group, string method, object payload, CancellationToken ct);
    Task AddToGroup(string connectionId, string group, CancellationToken ct);
    Task RemoveFromGroup(string connectionId, string group, CancellationToken ct);
    /// <summary>Ends a connection the room no longer holds (replaced by a newer one, or swept).</summary>
    Task Close(string connectionId, CancellationToken ct);
}

/// <summary>
/// Carries out what <see cref="RoomCommands"/> decided, in the order that keeps the log right:
/// append every usage event first, then push. A command whose events were all logged before
/// (a retry with the same cid) is not pushed again.
/// <para>
/// L4: every push to a whole room (<c>entered</c>, <c>left</c>, <c>event</c>, <c>zoom</c>) takes the
/// room's next <c>seq</c>. Changing the room and pushing the change happen under the room's lock, and
/// a snapshot is read under it too, so a snapshot with <c>seq</c> N reflects exactly the pushes up to
/// N: a client that applies pushes above N after it neither loses nor doubles anything.
/// </para>
/// </summary>
public sealed class LiveRoom(IEventLog log, IRoomBroadcaster broadcaster, MoveBatcher moves, IRoomSequence sequence, RoomCommands commands,
    ISharedViews shared, IPresenceStore presence, Microsoft.Extensions.Options.IOptions<LiveOptions> options, TimeProvider clock,
    ILogger<LiveRoom> logger)
{
    /// <summary>The pushes to a whole room that carry <c>seq</c>.</summary>
    public static readonly IReadOnlySet<string> Sequenced = new HashSet<string> { ClientMethods.Entered, ClientMethods.Left, ClientMethods.Event, ClientMethods.Zoom };

    readonly ConcurrentDictionary<(string Site, string Room), SemaphoreSlim> _locks = new();
    static readonly AsyncLocal<HashSet<(string, string)>?> Held = new();

    /// <summary>
    /// Runs <paramref name="action"/> holding the room's lock (re-entrant within one flow), so what it
    /// changes and pushes is ordered with every other change of the room and with snapshots.
    /// </summary>
    public async Task<T> Locked<T>(string siteId, string roomId, Func<Task<T>> action, CancellationToken ct)
    {
        var key = (siteId, roomId);
        if (Held.Value?.Contains(key) == true) return await action();
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        var held = Held.Value = new HashSet<(string, string)>(Held.Value ?? []) { key };
        try
        {
            return await action();
        }
        finally
        {
            held.Remove(key);
            gate.Release();
        }
    }

    public Task Locked(string siteId, string roomId, Func<Task> action, CancellationToken ct) =>
        Locked(siteId, roomId, async () => { await action(); return true; }, ct);

    /// <summary>Runs a command and delivers its outcome under the room's lock.</summary>
    public Task Apply(string siteId, string roomId, Func<Task<Outcome>> command, CancellationToken ct) =>
        Locked(siteId, roomId, async () => await Deliver(await command(), ct), ct);

    /// <summary>What a newcomer (or a <c>Resync</c>) gets: the room now and the <c>seq</c> it reflects.</summary>
    public Task<Snapshot> Snapshot(string siteId, string roomId, CancellationToken ct) => Locked(siteId, roomId, async () =>
    {
        var seq = await sequence.Current(siteId, roomId, ct);
        return await commands.Snapshot(siteId, roomId, ct) with { Seq = seq };
    }, ct);

    /// <summary>
    /// Logs, then pushes. <paramref name="pushIfLogged"/>: a delivery tried again after it failed part-way
    /// (the sweep's owed departures), so events found logged already do not hold back the pushes.
    /// </summary>
    public async Task Deliver(Outcome outcome, CancellationToken ct, bool pushIfLogged = false)
    {
        var fresh = outcome.Logs.Count == 0;
        var previous = DateTimeOffset.MinValue;
        foreach (var decided in outcome.Logs)
        {
            // One command's events keep their order in every store: Cosmos DB orders a day by time alone, so
            // "leave sub room" and the "enter sub room" of the same step must not share an instant (a tick apart).
            var usage = decided.EventDateTime > previous ? decided : decided with { EventDateTime = previous.AddTicks(1) };
            previous = usage.EventDateTime;
            fresh |= await log.Append(usage, ct);
        }
        if (!fresh && !pushIfLogged)
        {
            logger.LogDebug("Command {EventId} was retried; already logged and pushed.", outcome.Logs[0].Id);
            return;
        }
        foreach (var push in outcome.Pushes)
        {
            if (push.To is Audience.Room r && Sequenced.Contains(push.Method))
                await Locked(r.SiteId, r.RoomId, async () =>
                {
                    var seq = await sequence.Next(r.SiteId, r.RoomId, ct);
                    await broadcaster.Send(push.To, push.Method, WithSeq(push.Payload, seq), ct);
                }, ct);
            else
                await broadcaster.Send(push.To, push.Method, push.Payload, ct);
        }
        if (outcome.Move is { } move) moves.Add(move);
    }

    /// <summary>
    /// L1 + L4, for the in-process hub and the Azure upstream alike: the room's group, presence at the
    /// entry position (an older connection of the member replaced and closed), the zones it watches,
    /// "entered" to the room, then the snapshot to the connection, all under the room's lock, so the
    /// snapshot's seq is the last room-wide push before this connection's first one.
    /// </summary>
    public Task Join(LiveSession session, CancellationToken ct) => Locked(session.SiteId, session.RoomId, async () =>
    {
        await broadcaster.AddToGroup(session.ConnectionId, Groups.Room(session.SiteId, session.RoomId), ct);
        var (entered, replaced) = await commands.Enter(session, ct);
        foreach (var old in replaced) await broadcaster.Close(old.ConnectionId, ct);
        await Listen(session, await commands.ZonesFor(session, ct), ct);
        await Deliver(entered, ct);
        await SendSnapshot(session, ct);
    }, ct);

    /// <summary>L4: a client that saw a gap in <c>seq</c> gets a fresh snapshot, ordered with the room's pushes.</summary>
    public Task Resync(LiveSession session, CancellationToken ct) =>
        Locked(session.SiteId, session.RoomId, () => SendSnapshot(session, ct), ct);

    /// <summary>Leave {}: out of the room (told and logged once), and nothing of it reaches the connection any more.</summary>
    public async Task Leave(LiveSession session, CancellationToken ct)
    {
        await Apply(session.SiteId, session.RoomId, () => commands.Leave(session, ct), ct);
        await Listen(session, new HashSet<(int, int)>(), ct);
        await broadcaster.RemoveFromGroup(session.ConnectionId, Groups.Room(session.SiteId, session.RoomId), ct);
    }

    async Task SendSnapshot(LiveSession session, CancellationToken ct) =>
        await broadcaster.Send(new Audience.Connections([session.ConnectionId]), ClientMethods.Snapshot,
            await Snapshot(session.SiteId, session.RoomId, ct), ct);

    /// <summary>The payload as a JSON object with <c>seq</c> added (camelCase, as every push).</summary>
    public static object WithSeq(object payload, long seq)
    {
        if (payload is IDictionary<string, object?> d)
            return new Dictionary<string, object?>(d) { ["seq"] = seq };
        var node = JsonSerializer.SerializeToNode(payload, payload.GetType(), Json.Options) as JsonObject
            ?? throw new InvalidOperationException($"A room-wide push must be an object, not {payload.GetType().Name}.");
        node["seq"] = seq;
        return node;
    }

    /// <summary>
    /// Makes the connection watch exactly the given zones: it joins the group of their rectangle
    /// (<see cref="Groups.View"/>) and leaves the one it watched before; no zones, no moves.
    /// </summary>
    public async Task Listen(LiveSession session, IReadOnlySet<(int, int)> zones, CancellationToken ct)
    {
        var before = ZoneView.Of(session.Zones);
        var after = ZoneView.Of(zones);
        session.Zones.Clear();
        session.Zones.UnionWith(zones);
        if (before == after) return;
        moves.Watch(session.SiteId, session.RoomId, session.ConnectionId, after);
        // Join the new group before leaving the old one: no tick falls between the two.
        if (after is { } a) await broadcaster.AddToGroup(session.ConnectionId, Groups.View(session.SiteId, session.RoomId, a), ct);
        if (before is { } b) await broadcaster.RemoveFromGroup(session.ConnectionId, Groups.View(session.SiteId, session.RoomId, b), ct);
        if (before is not null && after is { } changed) CatchUpAfterLag(session, changed);
    }

    /// <summary>
    /// Many instances: the others learn a changed view within <see cref="ISharedViews.Lag"/>, and the moves
    /// they batch meanwhile go to the rectangle the connection left. Once the lag is over the connection gets
    /// where everyone in its view stands now, so nobody who moved meanwhile (and then stood still) stays
    /// where it last saw them. One instance (no lag): the batcher knew the view at once; nothing to catch up.
    /// </summary>
    static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(10);

    void CatchUpAfterLag(LiveSession session, ZoneView view)
    {
        if (shared.Lag <= TimeSpan.Zero) return;
        _ = Task.Run(async () =>
        {
            try
            {
                // The others' views are shared within the lag, their positions within the store's move delay (a
                // mover who stopped during the view change is written by then): then where everyone stands is known.
                await Task.Delay(shared.Lag + presence.MoveDelay + options.Value.MoveTick, clock);
                // Bounded: a catch-up that hangs is worth nothing later, and must not pile up behind a hung store.
                using var bounded = new CancellationTokenSource(CatchUpTimeout);
                var positions = await commands.Positions(session, view, bounded.Token);
                if (positions.Count > 0)
                    await broadcaster.Send(new Audience.Connections([session.ConnectionId]), ClientMethods.Moved, positions, bounded.Token);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Catching connection {ConnectionId} up on its new view failed.", session.ConnectionId);
            }
        }, CancellationToken.None);
    }

    /// <summary>A connection that ended watches nothing any more (its groups end with it).</summary>
    public void Forget(LiveSession session) => moves.Watch(session.SiteId, session.RoomId, session.ConnectionId, null);
}
