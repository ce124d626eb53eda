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
    /// <summary>A room may be empty for a moment after a pass for it was handed out: its member is still joining.</summary>
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    /// <summary>The longest one pass may take before it is abandoned.</summary>
    static readonly TimeSpan PassTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SfuConfigured) return;
        using var timer = new PeriodicTimer(options.Value.ReconcileEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // A pass is bounded: a Janus or store call that hangs is given up, and the next tick reconciles again.
            using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            pass.CancelAfter(PassTimeout);
            try { await Reconcile(pass.Token); }
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
            // Who is in Janus first, then who may be: presence read after the listing is at least as new as
            // the presence any listed member's pass was handed out on, so someone who just (re)joined with a
            // good pass is never kicked on an older view of the room.
            var present = new List<(ulong Room, string Group, IReadOnlyList<ulong> Participants)>();
            foreach (var (room, open) in live) present.Add((room, open.Group, await sfu.Participants(room, ct)));
            var (people, geometry) = await broker.People(live.Key.SiteId, live.Key.RoomId, ct);
            var groups = MediaPlan.Groups(people, geometry.MeetingRooms, options.Value.SfuThreshold);
            foreach (var (room, group, participants) in present)
            {
                var members = groups.TryGetValue(group, out var m) ? m : new HashSet<string>();
                var allowed = members.Select(e => MediaBroker.FeedId(room, e)).ToHashSet();
                foreach (var participant in participants.Where(p => !allowed.Contains(p)))
                {
                    log.LogInformation("Removing participant {Participant} from SFU room {SfuRoom} (site {Site}, room {Room})", participant, room, live.Key.SiteId, live.Key.RoomId);
                    await sfu.Kick(room, participant, ct);
                }
                if (members.Count == 0 && broker.Open.TryGetValue(room, out var latest) && clock.GetUtcNow() - latest.PassedAt > Grace)
                {
                    await sfu.Close(room, ct);
                    broker.Forget(room);
                }
            }
        }
    }
}
