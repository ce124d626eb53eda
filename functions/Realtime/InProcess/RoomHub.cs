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
public sealed class LocalConnections : IHeldConnections
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
/// <see cref="LiveSession"/> from the access token checked by <see cref="LiveApi"/>, and hands the
/// connection's start and end and every invocation to <see cref="RoomCalls"/>, the path the Azure
/// upstream takes too (the method table, throttling, entry checks). Each method here only gives
/// SignalR the argument type to bind (a test checks they match <see cref="RoomCalls.Methods"/>); a
/// refused call reaches the client as a HubException "&lt;code&gt;: &lt;text&gt;".
/// </summary>
public sealed class RoomHub(RoomCalls calls, LiveSessions sessions, LocalConnections local, ILogger<RoomHub> logger) : Hub
{
    const string SessionKey = "zawaroom.live.session";

    LiveSession Session => Context.Items.TryGetValue(SessionKey, out var s) && s is LiveSession session ? session : throw RoomCalls.NotInRoom();

    public override async Task OnConnectedAsync()
    {
        var ct = Context.ConnectionAborted;
        var ticket = Context.GetHttpContext()?.Items[LiveApi.TicketKey] as LiveTicket;
        var session = ticket is null ? null : await sessions.Start(ticket, Context.ConnectionId, ct);
        if (session is null) { Context.Abort(); return; }
        Context.Items[SessionKey] = session;
        local.Add(session, Context);
        bool admitted;
        try
        {
            admitted = await calls.Connect(session, ct);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            local.Remove(Context.ConnectionId);
            throw;
        }
        if (!admitted)
        {
            Context.Items.Remove(SessionKey);
            local.Remove(Context.ConnectionId);
            Context.Abort();
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        local.Remove(Context.ConnectionId);
        if (Context.Items.TryGetValue(SessionKey, out var s) && s is LiveSession session) await calls.Disconnect(session);
    }

    public Task Move(MoveCommand c) => Call(nameof(Move), c);
    public Task Viewport(ViewportCommand c) => Call(nameof(Viewport), c);
    public Task SetStatus(SetStatusCommand c) => Call(nameof(SetStatus), c);
    public Task Knock(KnockCommand c) => Call(nameof(Knock), c);
    public Task Focus(FocusCommand c) => Call(nameof(Focus), c);
    public Task Message(MessageCommand c) => Call(nameof(Message), c);
    public Task Board(BoardCommand c) => Call(nameof(Board), c);
    public Task Mute(MuteCommand c) => Call(nameof(Mute), c);
    public Task RingBell(RingBellCommand c) => Call(nameof(RingBell), c);
    public Task ShareScreen(ShareScreenCommand c) => Call(nameof(ShareScreen), c);
    public Task VoiceArea(VoiceAreaCommand c) => Call(nameof(VoiceArea), c);
    public Task Signal(SignalCommand c) => Call(nameof(Signal), c);
    /// <summary>Renews the connection's presence (SignalR's keep-alive does too, in-process; on Azure only this does).</summary>
    public Task Heartbeat(HeartbeatCommand? c) => Call(nameof(Heartbeat), c);
    /// <summary>L4: the client saw a gap in <c>seq</c>; it gets a fresh snapshot.</summary>
    public Task Resync(ResyncCommand? c) => Call(nameof(Resync), c);
    public Task Leave(LeaveCommand? c) => Call(nameof(Leave), c);

    async Task Call(string method, object? argument)
    {
        try
        {
            await calls.Invoke(Session, method, argument, Context.ConnectionAborted);
        }
        catch (ProblemException p)
        {
            throw new HubException($"{p.Code}: {p.Message}");
        }
        catch (Exception e) when (e is not (HubException or OperationCanceledException))
        {
            // Logged here, once, with its stack; SignalR's own note of a failed invocation is silenced
            // (InProcessRealtime), since it would log every refused call as an Error with a stack trace.
            logger.LogError(e, "{Method} of connection {ConnectionId} failed.", method, Context.ConnectionId);
            throw new HubException("error: The command failed; try again.");
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
