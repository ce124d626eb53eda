using Microsoft.Extensions.Options;

namespace Zawaroom.Media;

/// <summary>
/// Keeps Janus's rooms to the hearing rule: every tick it compares each open room with who may be
/// in it now (the SFU groups of <see cref="MediaPlan"/> over presence), kicks any participant that
/// is not one of them (someone who walked out, left, or joined under an id not given to them) and
/// destroys a room whose group is gone. The browser leaves by itself; this is what makes leaving
/// stick for a client that does not.
/// </summary>
public sealed class MediaReconciler(MediaBroker broker, IOptions<MediaOptions> options, IServiceProvider services, TimeProvider clock,
    ILogger<MediaReconciler> log) : BackgroundService
{
    /// <summary>A freshly opened room may be empty for a moment: its first member is still joining.</summary>
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SfuConfigured) return;
        using var timer = new PeriodicTimer(options.Value.ReconcileEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await Reconcile(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Reconciling the SFU rooms failed; trying again on the next tick");
            }
        }
    }

    public async Task Reconcile(CancellationToken ct)
    {
        var sfu = services.GetRequiredService<ISfu>();
        foreach (var live in broker.Open.GroupBy(o => (o.Value.SiteId, o.Value.RoomId)))
        {
            var (people, geometry) = await broker.People(live.Key.SiteId, live.Key.RoomId, ct);
            var groups = MediaPlan.Groups(people, geometry.MeetingRooms, options.Value.SfuThreshold);
            foreach (var (room, open) in live)
            {
                var members = groups.TryGetValue(open.Group, out var m) ? m : new HashSet<string>();
                var allowed = members.Select(e => MediaBroker.FeedId(room, e)).ToHashSet();
                var present = await sfu.Participants(room, ct);
                foreach (var participant in present.Where(p => !allowed.Contains(p)))
                {
                    log.LogInformation("Removing participant {Participant} from SFU room {SfuRoom} (site {Site}, room {Room})", participant, room, open.SiteId, open.RoomId);
                    await sfu.Kick(room, participant, ct);
                }
                if (members.Count == 0 && clock.GetUtcNow() - open.OpenedAt > Grace)
                {
                    await sfu.Close(room, ct);
                    broker.Forget(room);
                }
            }
        }
    }
}
