using Zawaroom.Logs;

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
/// </summary>
public sealed class LiveRoom(IEventLog log, IRoomBroadcaster broadcaster, MoveBatcher moves, ILogger<LiveRoom> logger)
{
    public async Task Deliver(Outcome outcome, CancellationToken ct)
    {
        var fresh = outcome.Logs.Count == 0;
        foreach (var usage in outcome.Logs)
            fresh |= await log.Append(usage, ct);
        if (!fresh)
        {
            logger.LogDebug("Command {EventId} was retried; already logged and pushed.", outcome.Logs[0].Id);
            return;
        }
        foreach (var push in outcome.Pushes) await broadcaster.Send(push.To, push.Method, push.Payload, ct);
        if (outcome.Move is { } move) moves.Add(move);
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
    }

    /// <summary>A connection that ended watches nothing any more (its groups end with it).</summary>
    public void Forget(LiveSession session) => moves.Watch(session.SiteId, session.RoomId, session.ConnectionId, null);
}
