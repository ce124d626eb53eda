using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>
/// No ghosts (L1): on every tick this instance renews the presence of the connections it holds
/// that it heard from since (so a silent tab is not kept alive), then removes every record, of any instance, whose heartbeat is older than the timeout, tells
/// its room and logs the leave. A crashed instance stops renewing, so its people disappear too.
/// <para>
/// Nothing stops the sweep for good. Each step of a pass is bounded (<see cref="StepTimeout"/>): a store or service
/// call that hangs, or a room lock held by a call that hangs, is given up and the next tick tries again. Each
/// expired record is handled on its own, so one that fails does not hold back the others. Removing the record
/// is what makes this instance the one that says "left"; a departure whose record it removed (or may have
/// removed: the delete was cut off) but whose log or push did not get through is owed, and delivered again on
/// every following pass until it does, so the room is told and the leave logged once (the log ids make a
/// repeated append a no-op; a repeated <c>left</c> for someone already gone changes nothing for a client).
/// </para>
/// </summary>
public sealed class PresenceSweep(IPresenceStore presence, IHeldConnections local, LiveSessions sessions, RoomCommands commands,
    LiveRoom room, IRoomBroadcaster broadcaster, IOptions<PresenceOptions> presenceOptions, IOptions<LiveOptions> options,
    TimeProvider clock, ILogger<PresenceSweep> logger) : BackgroundService
{
    /// <summary>A departure this instance took on and has not finished telling. <see cref="Outcome"/> null: the delete was cut off, so whether the record went is not known yet.</summary>
    sealed record Owed(PresenceRecord Record, LiveSessions.RoomFacts Facts, DateTimeOffset Cutoff, Outcome? Outcome);

    readonly ConcurrentDictionary<(string Site, string Connection), Owed> _owed = new();

    public TimeSpan Interval => TimeSpan.FromTicks(Math.Min(options.Value.SweepInterval.Ticks, presenceOptions.Value.HeartbeatTimeout.Ticks / 3));

    /// <summary>
    /// The longest one step of a pass (the renewals of one batch, the expired query, one departure) may take
    /// before it is given up: the heartbeat timeout, at least 10 s. Bounded per step, not per pass, so a busy
    /// pass with many departures still makes progress, and a hung one costs one step.
    /// </summary>
    public TimeSpan StepTimeout => TimeSpan.FromTicks(Math.Max(presenceOptions.Value.HeartbeatTimeout.Ticks, TimeSpan.FromSeconds(10).Ticks));

    /// <summary>The departures this instance still owes the rooms (for diagnostics and tests).</summary>
    public int Owing => _owed.Count;

    /// <summary>One pass at a time on this instance (the timer's and any other caller's): two would take the same departures.</summary>
    readonly SemaphoreSlim _passing = new(1, 1);

    public async Task Sweep(CancellationToken ct)
    {
        await _passing.WaitAsync(ct);
        try
        {
            await Pass(ct);
        }
        finally
        {
            _passing.Release();
        }
    }

    async Task Pass(CancellationToken ct)
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
            await Step(t => presence.Heartbeat(batch.Key.SiteId, batch.Select(x => x.Session.ConnectionId).ToList(), batch.Key.At, t), "renewing", ct);
            foreach (var x in batch) x.Session.Renewed = batch.Key.At;
        }

        var cutoff = now - presenceOptions.Value.HeartbeatTimeout;
        IReadOnlyList<PresenceRecord> expired = [];
        await Step(async t => expired = await presence.Expired(cutoff, t), "listing the expired", ct);
        var failed = 0;
        Exception? first = null;
        async Task Each(Func<CancellationToken, Task> departure, string what)
        {
            try
            {
                await Step(departure, what, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failed++;
                first ??= e;
            }
        }
        // Owed departures first; one whose delete did not happen is dropped from them and removed below as any other.
        foreach (var owed in _owed.Values.ToList()) await Each(t => Settle(owed, expired, t), "an owed departure");
        foreach (var gone in expired)
            if (!_owed.ContainsKey((gone.SiteId, gone.ConnectionId)))
                await Each(t => Remove(gone, cutoff, t), "a departure");
        if (first is not null)
            throw new AggregateException($"{failed} of the sweep's departures failed; they are tried again on the next pass.", first);
    }

    /// <summary>One step of a pass, given up after <see cref="StepTimeout"/> (a hung store or service call, a room lock held by one).</summary>
    Task Step(Func<CancellationToken, Task> step, string what, CancellationToken ct) =>
        Bounded.Run(step, StepTimeout, $"The presence sweep gave up {what}", ct);

    /// <summary>Removes one expired record (if nobody renewed or removed it meanwhile), then tells its room and logs the leave.</summary>
    async Task Remove(PresenceRecord gone, DateTimeOffset cutoff, CancellationToken ct)
    {
        var facts = local.Session(gone.ConnectionId) is { } s
            ? new LiveSessions.RoomFacts(s.RoomName, s.SpaceId, s.SpaceName, s.Geometry)
            : await sessions.Describe(gone.SiteId, gone.RoomId, ct) ?? new LiveSessions.RoomFacts("", "", "", RoomGeometry.Default);
        var key = (gone.SiteId, gone.ConnectionId);
        var removed = false;
        await room.Locked(gone.SiteId, gone.RoomId, async () =>
        {
            if (_owed.ContainsKey(key)) return; // taken on already, and still owed: the owed pass tells it
            // Owed from here on: a delete cut off after Cosmos DB applied it would otherwise leave nobody to say "left".
            _owed[key] = new Owed(gone, facts, cutoff, null);
            // Removed once, by whichever instance sweeps first, and only if it was not renewed meanwhile.
            var record = await presence.RemoveExpired(gone.SiteId, gone.ConnectionId, cutoff, ct);
            if (record is null)
            {
                _owed.TryRemove(key, out _);
                return;
            }
            var departed = commands.Departed(record, facts);
            _owed[key] = new Owed(record, facts, cutoff, departed);
            await room.Deliver(departed, ct);
            _owed.TryRemove(key, out _);
            removed = true;
        }, ct);
        if (removed) await Departed(gone, ct);
    }

    /// <summary>A departure owed from an earlier pass: delivered again, or dropped when the record turns out to be still there.</summary>
    async Task Settle(Owed owed, IReadOnlyList<PresenceRecord> expired, CancellationToken ct)
    {
        var r = owed.Record;
        var key = (r.SiteId, r.ConnectionId);
        var outcome = owed.Outcome;
        if (outcome is null)
        {
            // The delete was cut off. Still listed as expired: it did not happen, and this pass removes the record as any other.
            // Alive again: renewed, not gone. Neither: it is gone, and this instance may be the one that removed it.
            if (expired.Any(e => e.SiteId == r.SiteId && e.ConnectionId == r.ConnectionId) || await presence.Get(r.SiteId, r.ConnectionId, ct) is not null)
            {
                _owed.TryRemove(key, out _);
                return;
            }
            outcome = commands.Departed(r, owed.Facts);
        }
        logger.LogInformation("Telling room {RoomId} of site {SiteId} again that {Email} left (the first try failed).", r.RoomId, r.SiteId, r.Email);
        await room.Locked(r.SiteId, r.RoomId, () => room.Deliver(outcome, ct, pushIfLogged: true), ct);
        _owed.TryRemove(key, out _);
        await Departed(r, ct);
    }

    async Task Departed(PresenceRecord gone, CancellationToken ct)
    {
        logger.LogInformation("Presence of {Email} in room {RoomId} of site {SiteId} expired.", gone.Email, gone.RoomId, gone.SiteId);
        await broadcaster.Close(gone.ConnectionId, ct);
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
            // Whatever a pass throws (a timeout of an HTTP call is an OperationCanceledException too), the next tick sweeps again.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The presence sweep failed; it runs again on the next tick.");
            }
        }
    }
}
