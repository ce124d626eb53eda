using Microsoft.Extensions.Options;
using Zawaroom.Realtime.InProcess;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>
/// No ghosts (L1): on every tick this instance renews the presence of the connections it holds
/// that it heard from since (so a silent tab is not kept alive), then removes every record, of any instance, whose heartbeat is older than the timeout, tells
/// its room and logs the leave. A crashed instance stops renewing, so its people disappear too.
/// </summary>
public sealed class PresenceSweep(IPresenceStore presence, LocalConnections local, LiveSessions sessions, RoomCommands commands,
    LiveRoom room, IRoomBroadcaster broadcaster, IOptions<PresenceOptions> presenceOptions, IOptions<LiveOptions> options,
    TimeProvider clock, ILogger<PresenceSweep> logger) : BackgroundService
{
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Min(options.Value.SweepInterval.Ticks, presenceOptions.Value.HeartbeatTimeout.Ticks / 3));

    public async Task Sweep(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Renew each connection this instance holds up to when it was last heard from (any bytes, SignalR's
        // keep-alive pings included): a tab that goes silent is no longer renewed, so it expires below,
        // on this clock, whatever SignalR's own timeout does.
        var heard = local.Sessions
            .Select(s => (Session: s, At: local.LastHeard(s.ConnectionId)))
            .Where(x => x.At is { } at && at > x.Session.Renewed)
            .ToList();
        foreach (var batch in heard.GroupBy(x => (x.Session.SiteId, At: x.At!.Value)))
        {
            await presence.Heartbeat(batch.Key.SiteId, batch.Select(x => x.Session.ConnectionId).ToList(), batch.Key.At, ct);
            foreach (var x in batch) x.Session.Renewed = batch.Key.At;
        }

        var cutoff = now - presenceOptions.Value.HeartbeatTimeout;
        foreach (var gone in await presence.Expired(cutoff, ct))
        {
            var facts = local.Session(gone.ConnectionId) is { } s
                ? new LiveSessions.RoomFacts(s.RoomName, s.SpaceId, s.SpaceName, s.Geometry)
                : await sessions.Describe(gone.SiteId, gone.RoomId, ct) ?? new LiveSessions.RoomFacts("", "", "", RoomGeometry.Default);
            var removed = false;
            await room.Apply(gone.SiteId, gone.RoomId, async () =>
            {
                // Removed once, by whichever instance sweeps first, and only if it was not renewed meanwhile.
                var record = await presence.RemoveExpired(gone.SiteId, gone.ConnectionId, cutoff, ct);
                removed = record is not null;
                return commands.Departed(record, facts);
            }, ct);
            if (!removed) continue;
            logger.LogInformation("Presence of {Email} in room {RoomId} of site {SiteId} expired.", gone.Email, gone.RoomId, gone.SiteId);
            await broadcaster.Close(gone.ConnectionId, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Sweep(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The presence sweep failed.");
            }
        }
    }
}
