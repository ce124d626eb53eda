using Microsoft.Extensions.Options;
using Zawaroom.Live.InProcess;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>
/// No ghosts (L1): on every tick this instance renews the presence of the connections it holds,
/// then removes every record, of any instance, whose heartbeat is older than the timeout, tells
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
        foreach (var site in local.Sessions.GroupBy(s => s.SiteId))
            await presence.Heartbeat(site.Key, site.Select(s => s.ConnectionId).ToList(), now, ct);

        var cutoff = now - presenceOptions.Value.HeartbeatTimeout;
        foreach (var gone in await presence.Expired(cutoff, ct))
        {
            var removed = await presence.RemoveExpired(gone.SiteId, gone.ConnectionId, cutoff, ct);
            if (removed is null) continue;
            logger.LogInformation("Presence of {Email} in room {RoomId} of site {SiteId} expired.", gone.Email, gone.RoomId, gone.SiteId);
            var facts = local.Session(gone.ConnectionId) is { } s
                ? new LiveSessions.RoomFacts(s.RoomName, s.SpaceId, s.SpaceName, s.Geometry)
                : await sessions.Describe(gone.SiteId, gone.RoomId, ct) ?? new LiveSessions.RoomFacts("", "", "", RoomGeometry.Default);
            await room.Deliver(commands.Departed(removed, facts), ct);
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
