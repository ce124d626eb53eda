using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zawaroom.Common;

namespace Zawaroom.Live;

/// <summary>Which per-connection allowance a hub method spends (<see cref="ThrottleOptions"/>).</summary>
public enum ThrottleClass
{
    /// <summary>Not throttled: keeping the connection alive and leaving must always work.</summary>
    None,
    /// <summary>Coalesced above the move rate, the latest wins.</summary>
    Moves,
    /// <summary>L2 actions and Resync: the small command bucket.</summary>
    Commands,
    /// <summary>WebRTC signalling and viewport changes: the big bucket (they come in bursts).</summary>
    Signals,
}

/// <summary>
/// One hub method (API.md "Live room"): the type of its one argument, whether it may be omitted, the
/// allowance it spends, whether it changes what the connection watches (a transport that keeps no
/// connection state stores it after the call), and what it does.
/// </summary>
public sealed record HubMethod(string Name, Type Argument, bool ArgumentOptional, ThrottleClass Throttle, bool ChangesView,
    Func<RoomCalls, LiveSession, object?, CancellationToken, Task> Handle);

/// <summary>
/// The one path every hub call takes, whichever transport brought it (the in-process hub or Azure
/// SignalR Service's upstream): the table of hub methods, per-connection throttling, and the routine
/// for a connection that starts or ends. A transport only parses, authenticates, calls this and
/// delivers the answer. A refused call is a <see cref="ProblemException"/> the transport answers to the
/// caller; it is logged briefly (no stack trace, at most one Information line per connection every few
/// seconds), so a client hammering the hub cannot flood the log.
/// </summary>
public sealed class RoomCalls(RoomCommands commands, LiveRoom room, Members.MemberDirectory members, IRoomLayout layout,
    IOptions<ThrottleOptions> throttle, TimeProvider clock, ILogger<RoomCalls> logger)
{
    static readonly TimeSpan RefusalLogEvery = TimeSpan.FromSeconds(10);
    RoomCommands Commands => commands;
    LiveRoom Room => room;

    public static readonly IReadOnlyDictionary<string, HubMethod> Methods = new HubMethod[]
    {
        new("Move", typeof(MoveCommand), false, ThrottleClass.Moves, false, (c, s, a, ct) => c.ApplyMove(s, (MoveCommand)a!, ct)),
        new("Viewport", typeof(ViewportCommand), false, ThrottleClass.Signals, true,
            async (c, s, a, ct) => await c.Room.Listen(s, await c.Commands.Viewport(s, (ViewportCommand)a!, ct), ct)),
        new("SetStatus", typeof(SetStatusCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.SetStatus(s, (SetStatusCommand)a!, ct), ct)),
        new("Knock", typeof(KnockCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.Knock(s, (KnockCommand)a!, ct), ct)),
        new("Focus", typeof(FocusCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.Focus(s, (FocusCommand)a!, ct), ct)),
        new("Message", typeof(MessageCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.Message(s, (MessageCommand)a!, ct), ct)),
        new("Board", typeof(BoardCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.Board(s, (BoardCommand)a!, ct), ct)),
        new("Mute", typeof(MuteCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.Mute(s, (MuteCommand)a!, ct), ct)),
        new("RingBell", typeof(RingBellCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.RingBell(s, (RingBellCommand)a!, ct), ct)),
        new("ShareScreen", typeof(ShareScreenCommand), false, ThrottleClass.Commands, false, (c, s, a, ct) => c.Apply(s, () => c.Commands.ShareScreen(s, (ShareScreenCommand)a!, ct), ct)),
        new("VoiceArea", typeof(VoiceAreaCommand), false, ThrottleClass.Commands, true, async (c, s, a, ct) =>
        {
            await c.Apply(s, () => c.Commands.VoiceArea(s, (VoiceAreaCommand)a!, ct), ct);
            await c.Room.Listen(s, await c.Commands.ZonesFor(s, ct), ct);
        }),
        // Signalling pushes to single connections, not to the room (no seq), so it needs no room lock.
        new("Signal", typeof(SignalCommand), false, ThrottleClass.Signals, false,
            async (c, s, a, ct) => await c.Room.Deliver(await c.Commands.Signal(s, (SignalCommand)a!, ct), ct)),
        new("Heartbeat", typeof(HeartbeatCommand), true, ThrottleClass.None, false, (c, s, _, ct) => c.Commands.Heartbeat(s, ct)),
        new("Resync", typeof(ResyncCommand), true, ThrottleClass.Commands, false, (c, s, _, ct) => c.Room.Resync(s, ct)),
        new("Leave", typeof(LeaveCommand), true, ThrottleClass.None, false, (c, s, _, ct) =>
        {
            s.HasLeft = true;
            return c.Room.Leave(s, ct);
        }),
    }.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>Per connection of this instance: its allowances, and a token that ends with the connection (for held moves).</summary>
    sealed class ConnectionState(ThrottleOptions options, DateTimeOffset now)
    {
        public ConnectionThrottle Throttle { get; } = new(options, now);
        public CancellationTokenSource Ended { get; } = new();
        public DateTimeOffset LastUsed { get; set; } = now;
        public DateTimeOffset? RefusalLogged { get; set; }
        public int RefusalsSince { get; set; }
    }

    readonly ConcurrentDictionary<string, ConnectionState> _connections = new();

    /// <summary>
    /// L1, for both transports: a connection of a member who is still a member and still allowed into
    /// the room joins it (group, presence, zones, "entered", snapshot); else it is refused (false) and
    /// the transport ends it. A connection that fails while joining leaves again, so no ghost stays.
    /// </summary>
    public async Task<bool> Connect(LiveSession session, CancellationToken ct)
    {
        if (await members.Find(session.SiteId, session.Email, ct) is not { } member)
        {
            logger.LogInformation("Connection {ConnectionId} of {Email} refused: no longer a member of site {SiteId}.", session.ConnectionId, session.Email, session.SiteId);
            return false;
        }
        if (!await layout.MayEnter(session.SiteId, session.RoomId, new Identity.Caller(session.SiteId, member.Email, member.Name, member.Role, member.AuthType), ct))
        {
            logger.LogInformation("Connection {ConnectionId} of {Email} refused: room {RoomId}'s entry permission no longer includes them.",
                session.ConnectionId, session.Email, session.RoomId);
            return false;
        }
        State(session.ConnectionId);
        try
        {
            await room.Join(session, ct);
            return true;
        }
        catch
        {
            await Disconnect(session);
            throw;
        }
    }

    /// <summary>The connection ended (closed, dropped, or its Leave): out of the room, told and logged once.</summary>
    public async Task Disconnect(LiveSession session)
    {
        if (_connections.TryRemove(session.ConnectionId, out var state))
        {
            state.Ended.Cancel();
            state.Ended.Dispose();
        }
        room.Forget(session);
        await room.Apply(session.SiteId, session.RoomId, () => commands.Leave(session, CancellationToken.None), CancellationToken.None);
    }

    /// <summary>
    /// One hub call: the method by name, its argument (already parsed by the transport into
    /// <see cref="HubMethod.Argument"/>), the allowance, then the method. Throws a
    /// <see cref="ProblemException"/> when refused.
    /// </summary>
    public async Task Invoke(LiveSession session, string target, object? argument, CancellationToken ct)
    {
        try
        {
            if (!Methods.TryGetValue(target, out var method))
                throw Problems.Of(400, "unknown-method", "Unknown method", $"The room hub has no method '{target}'.");
            if (session.HasLeft)
            {
                if (target == "Leave") return; // already out: leaving again is a no-op
                throw NotInRoom();
            }
            if (argument is null && !method.ArgumentOptional)
                throw Problems.Validation($"{target} takes one object argument.");
            if (argument is not null && !method.Argument.IsInstanceOfType(argument))
                throw Problems.Validation($"{target} takes a {method.Argument.Name}.");
            var state = State(session.ConnectionId);
            var now = clock.GetUtcNow();
            state.LastUsed = now;
            switch (method.Throttle)
            {
                case ThrottleClass.Moves:
                    await OfferMove(session, state, (MoveCommand)argument!, now, clock.GetTimestamp());
                    return;
                case ThrottleClass.Commands: Spend(state.Throttle.Commands, now); break;
                case ThrottleClass.Signals: Spend(state.Throttle.Signals, now); break;
            }
            await method.Handle(this, session, argument, ct);
        }
        catch (ProblemException p)
        {
            NoteRefusal(session, target, p);
            throw;
        }
    }

    void NoteRefusal(LiveSession session, string target, ProblemException p)
    {
        var now = clock.GetUtcNow();
        var state = _connections.TryGetValue(session.ConnectionId, out var s) ? s : null;
        logger.LogDebug("{Target} of connection {ConnectionId} refused: {Code}.", target, session.ConnectionId, p.Code);
        if (state is null)
        {
            logger.LogInformation("{Target} of {Email} in room {RoomId} refused: {Code}.", target, session.Email, session.RoomId, p.Code);
            return;
        }
        lock (state)
        {
            state.RefusalsSince++;
            if (state.RefusalLogged is { } at && now - at < RefusalLogEvery) return;
            logger.LogInformation("{Count} call(s) of {Email} in room {RoomId} refused since the last note, the latest {Target}: {Code}.",
                state.RefusalsSince, session.Email, session.RoomId, target, p.Code);
            state.RefusalLogged = now;
            state.RefusalsSince = 0;
        }
    }

    ConnectionState State(string connectionId)
    {
        var state = _connections.GetOrAdd(connectionId, _ => new ConnectionState(throttle.Value, clock.GetUtcNow()));
        if (_connections.Count > 1024 && Random.Shared.Next(256) == 0) Prune();
        return state;
    }

    /// <summary>
    /// With Azure SignalR Service another instance may get a connection's disconnect: allowances of
    /// connections not heard from for a while are dropped here instead.
    /// </summary>
    void Prune()
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(10);
        foreach (var (id, state) in _connections)
            if (state.LastUsed < cutoff && _connections.TryRemove(id, out _)) state.Ended.Cancel();
    }

    /// <summary>A call of a connection that has left the room (its Leave, or removed by the room): enter again.</summary>
    public static ProblemException NotInRoom() =>
        Problems.Of(410, "not-in-room", "Not in the room", "This connection is no longer in the room; enter again.");

    static void Spend(TokenBucket bucket, DateTimeOffset now)
    {
        if (!bucket.TryTake(now))
            throw Problems.Of(429, "rate-limited", "Too many commands", "Too many commands from this connection; try again in a moment.");
    }

    Task Apply(LiveSession s, Func<Task<Outcome>> command, CancellationToken ct) => room.Apply(s.SiteId, s.RoomId, command, ct);

    /// <summary>
    /// Applied at most at the allowed rate; a move that comes too soon is held and applied when its
    /// slot comes, replaced by any newer one meanwhile (latest wins). The held one is applied on the
    /// connection's own token: the call that brought it may be long over (an upstream request).
    /// </summary>
    async Task OfferMove(LiveSession s, ConnectionState state, MoveCommand move, DateTimeOffset now, long arrived)
    {
        var gate = state.Throttle.Moves;
        var ended = state.Ended.Token;
        switch (gate.Offer(move, now, out var wait))
        {
            case MoveGate.Verdict.Apply:
                await ApplyMove(s, gate, move, arrived, ended);
                break;
            case MoveGate.Verdict.HeldAndSchedule:
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(wait, clock, ended);
                        if (gate.Release(clock.GetUtcNow()) is { } held && !s.HasLeft) await ApplyMove(s, gate, held, clock.GetTimestamp(), ended);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or ProblemException) { }
                    catch (Exception e) { logger.LogWarning(e, "A held move of {ConnectionId} failed.", s.ConnectionId); }
                }, CancellationToken.None);
                break;
        }
    }

    Task ApplyMove(LiveSession s, MoveCommand move, CancellationToken ct) =>
        ApplyMove(s, State(s.ConnectionId).Throttle.Moves, move, clock.GetTimestamp(), ct);

    /// <summary><paramref name="arrived"/>: when the move reached the server (a held one: when its slot came), for the move-latency histogram.</summary>
    async Task ApplyMove(LiveSession s, MoveGate gate, MoveCommand move, long arrived, CancellationToken ct)
    {
        await gate.Applying.WaitAsync(ct);
        try
        {
            var outcome = await commands.Move(s, move, ct);
            await room.Deliver(outcome.Move is { } m ? outcome with { Move = m with { Arrived = arrived } } : outcome, ct);
        }
        finally { gate.Applying.Release(); }
    }
}
