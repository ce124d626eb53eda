using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Zawaroom.Common;
using Zawaroom.Presence;

using Zawaroom.Live;

namespace Zawaroom.Realtime.InProcess;

/// <summary>
/// The connections this process holds, so it can renew their presence and end them; and when each
/// was last heard from (any bytes: invocations and SignalR's keep-alive pings), which is what keeps
/// its presence alive. A tab that goes silent stops being renewed and the sweep removes it.
/// </summary>
public sealed class LocalConnections
{
    readonly ConcurrentDictionary<string, (HubCallerContext Context, LiveSession Session)> _open = new();
    readonly ConcurrentDictionary<string, DateTimeOffset> _heard = new();

    public void Add(LiveSession session, HubCallerContext context) => _open[session.ConnectionId] = (context, session);
    public void Remove(string connectionId)
    {
        _open.TryRemove(connectionId, out _);
        _heard.TryRemove(connectionId, out _);
    }
    public LiveSession? Session(string connectionId) => _open.TryGetValue(connectionId, out var c) ? c.Session : null;
    public void Abort(string connectionId) { if (_open.TryGetValue(connectionId, out var c)) c.Context.Abort(); }
    public IEnumerable<LiveSession> Sessions => _open.Values.Select(c => c.Session);
    public int Count => _open.Count;

    public void Heard(string connectionId, DateTimeOffset at) => _heard[connectionId] = at;
    public void Forget(string connectionId) => _heard.TryRemove(connectionId, out _);
    public DateTimeOffset? LastHeard(string connectionId) => _heard.TryGetValue(connectionId, out var at) ? at : null;
}

/// <summary>
/// Notes the time whenever a hub connection's transport delivers bytes from the client, before
/// SignalR parses them; so presence is renewed by exactly what SignalR's own timeout watches.
/// </summary>
public static class Liveness
{
    public static IConnectionBuilder UseLiveness(this IConnectionBuilder builder) => builder.Use(next => async connection =>
    {
        var local = builder.ApplicationServices.GetRequiredService<LocalConnections>();
        var clock = builder.ApplicationServices.GetRequiredService<TimeProvider>();
        var id = connection.ConnectionId;
        local.Heard(id, clock.GetUtcNow());
        var transport = connection.Transport;
        connection.Transport = new HeardPipe(transport, () => local.Heard(id, clock.GetUtcNow()));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            local.Forget(id);
        }
    });

    sealed class HeardPipe(IDuplexPipe inner, Action heard) : IDuplexPipe
    {
        public PipeReader Input { get; } = new HeardReader(inner.Input, heard);
        public PipeWriter Output => inner.Output;
    }

    sealed class HeardReader(PipeReader inner, Action heard) : PipeReader
    {
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Note(await inner.ReadAsync(cancellationToken));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            Note(result);
            return true;
        }

        ReadResult Note(ReadResult result)
        {
            if (!result.IsCanceled && !result.Buffer.IsEmpty) heard();
            return result;
        }
    }
}

/// <summary>
/// The hub "room" (API.md "Live room"), in-process. Thin: it turns a connection into a
/// <see cref="LiveSession"/> from the access token checked by <see cref="LiveApi"/>, and hands every
/// invocation to <see cref="RoomCommands"/> and <see cref="LiveRoom"/>. Per connection, moves above
/// the allowed rate are coalesced (latest wins) and other commands are token-bucketed (<see cref="ThrottleOptions"/>):
/// a refused command is a <c>rate-limited:</c> error, and neither applied nor logged.
/// </summary>
public sealed class RoomHub(RoomCommands commands, LiveRoom room, LiveSessions sessions, LocalConnections local,
    IOptions<ThrottleOptions> throttle, TimeProvider clock, ILogger<RoomHub> logger) : Hub
{
    const string SessionKey = "zawaroom.live.session";

    LiveSession Session => Context.Items.TryGetValue(SessionKey, out var s) && s is LiveSession { HasLeft: false } session
        ? session : throw new HubException("not-in-room: This connection is no longer in the room; enter again.");

    public override async Task OnConnectedAsync()
    {
        var ct = Context.ConnectionAborted;
        var ticket = Context.GetHttpContext()?.Items[LiveApi.TicketKey] as LiveTicket;
        if (ticket is null) { Context.Abort(); return; }
        var session = await sessions.Start(ticket, Context.ConnectionId, ct);
        if (session is null) { Context.Abort(); return; }
        session.Throttle = new ConnectionThrottle(throttle.Value, clock.GetUtcNow());
        Context.Items[SessionKey] = session;
        local.Add(session, Context);
        try
        {
            await room.Join(session, ct);
        }
        catch
        {
            // A tab closed while it was still entering: SignalR will not call OnDisconnectedAsync for a
            // connection whose OnConnectedAsync failed, so leave here, or the avatar stays as a ghost.
            local.Remove(Context.ConnectionId);
            room.Forget(session);
            await room.Apply(session.SiteId, session.RoomId, () => commands.Leave(session, CancellationToken.None), CancellationToken.None);
            throw;
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        local.Remove(Context.ConnectionId);
        if (Context.Items.TryGetValue(SessionKey, out var s) && s is LiveSession session)
        {
            room.Forget(session);
            await room.Apply(session.SiteId, session.RoomId, () => commands.Leave(session, CancellationToken.None), CancellationToken.None);
        }
    }

    public Task SetStatus(SetStatusCommand c) => Run(s => commands.SetStatus(s, c, Context.ConnectionAborted));
    public Task Knock(KnockCommand c) => Run(s => commands.Knock(s, c, Context.ConnectionAborted));
    public Task Focus(FocusCommand c) => Run(s => commands.Focus(s, c, Context.ConnectionAborted));
    public Task Message(MessageCommand c) => Run(s => commands.Message(s, c, Context.ConnectionAborted));
    public Task Board(BoardCommand c) => Run(s => commands.Board(s, c, Context.ConnectionAborted));
    public Task Mute(MuteCommand c) => Run(s => commands.Mute(s, c, Context.ConnectionAborted));
    public Task RingBell(RingBellCommand c) => Run(s => commands.RingBell(s, c, Context.ConnectionAborted));
    public Task ShareScreen(ShareScreenCommand c) => Run(s => commands.ShareScreen(s, c, Context.ConnectionAborted));

    public async Task Signal(SignalCommand c)
    {
        var s = Session;
        Spend(s.Throttle!.Signals);
        await Guard(async () => await room.Deliver(await commands.Signal(s, c, Context.ConnectionAborted), Context.ConnectionAborted));
    }

    /// <summary>
    /// Applied at most at the allowed rate; a move that comes too soon is held and applied when its
    /// slot comes, replaced by any newer one meanwhile (latest wins).
    /// </summary>
    public async Task Move(MoveCommand c)
    {
        var s = Session;
        var gate = s.Throttle!.Moves;
        switch (gate.Offer(c, clock.GetUtcNow(), out var wait))
        {
            case MoveGate.Verdict.Apply:
                await Guard(() => ApplyMove(commands, room, s, c, Context.ConnectionAborted));
                break;
            case MoveGate.Verdict.HeldAndSchedule:
                var ct = Context.ConnectionAborted;
                var (cmds, rm, clk, log) = (commands, room, clock, logger); // the hub instance ends with this call
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(wait, clk, ct);
                        if (gate.Release(clk.GetUtcNow()) is { } held && !s.HasLeft) await ApplyMove(cmds, rm, s, held, ct);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ProblemException) { }
                    catch (Exception e) { log.LogWarning(e, "A held move of {Connection} failed.", s.ConnectionId); }
                }, CancellationToken.None);
                break;
        }
    }

    static async Task ApplyMove(RoomCommands commands, LiveRoom room, LiveSession s, MoveCommand c, CancellationToken ct)
    {
        var gate = s.Throttle!.Moves.Applying;
        await gate.WaitAsync(ct);
        try { await room.Deliver(await commands.Move(s, c, ct), ct); }
        finally { gate.Release(); }
    }

    public async Task Viewport(ViewportCommand c)
    {
        var s = Session;
        Spend(s.Throttle!.Signals);
        await Guard(async () => await room.Listen(s, await commands.Viewport(s, c, Context.ConnectionAborted), Context.ConnectionAborted));
    }

    public async Task VoiceArea(VoiceAreaCommand c)
    {
        await Run(s => commands.VoiceArea(s, c, Context.ConnectionAborted));
        await room.Listen(Session, await commands.ZonesFor(Session, Context.ConnectionAborted), Context.ConnectionAborted);
    }

    /// <summary>Renews the connection's presence (SignalR's keep-alive does too, in-process; on Azure only this does).</summary>
    public async Task Heartbeat(HeartbeatCommand? c)
    {
        var s = Session;
        await Guard(() => commands.Heartbeat(s, Context.ConnectionAborted));
    }

    /// <summary>L4: the client saw a gap in <c>seq</c>; it gets a fresh snapshot.</summary>
    public async Task Resync(ResyncCommand? c)
    {
        var s = Session;
        Spend(s.Throttle!.Commands);
        await room.Resync(s, Context.ConnectionAborted);
    }

    public async Task Leave(LeaveCommand? c)
    {
        var s = Session;
        s.HasLeft = true;
        await room.Leave(s, Context.ConnectionAborted);
    }

    async Task Run(Func<LiveSession, Task<Outcome>> command)
    {
        var s = Session;
        Spend(s.Throttle!.Commands);
        await Guard(() => room.Apply(s.SiteId, s.RoomId, () => command(s), Context.ConnectionAborted));
    }

    void Spend(TokenBucket bucket)
    {
        if (!bucket.TryTake(clock.GetUtcNow()))
            throw new HubException("rate-limited: Too many commands from this connection; try again in a moment.");
    }

    /// <summary>A refused command reaches the client as a HubException carrying the problem's code.</summary>
    static async Task Guard(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ProblemException p)
        {
            throw new HubException($"{p.Code}: {p.Message}");
        }
    }
}

/// <summary>The in-process realtime adapter: pushes through the hub's context.</summary>
public sealed class HubBroadcaster(IHubContext<RoomHub> hub, LocalConnections local) : IRoomBroadcaster
{
    public Task Send(Audience to, string method, object payload, CancellationToken ct) => to switch
    {
        Audience.Room { Except: null } r => hub.Clients.Group(Groups.Room(r.SiteId, r.RoomId)).SendAsync(method, payload, ct),
        Audience.Room r => hub.Clients.GroupExcept(Groups.Room(r.SiteId, r.RoomId), r.Except).SendAsync(method, payload, ct),
        Audience.Connections c => hub.Clients.Clients(c.Ids).SendAsync(method, payload, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(to)),
    };

    public Task SendToGroup(string group, string method, object payload, CancellationToken ct) =>
        hub.Clients.Group(group).SendAsync(method, payload, ct);

    public Task AddToGroup(string connectionId, string group, CancellationToken ct) => hub.Groups.AddToGroupAsync(connectionId, group, ct);
    public Task RemoveFromGroup(string connectionId, string group, CancellationToken ct) => hub.Groups.RemoveFromGroupAsync(connectionId, group, ct);

    public Task Close(string connectionId, CancellationToken ct)
    {
        local.Abort(connectionId);
        return Task.CompletedTask;
    }
}
