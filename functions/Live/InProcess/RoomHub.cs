using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Zawaroom.Common;

namespace Zawaroom.Live.InProcess;

/// <summary>The connections this process holds, so it can renew their presence and end them.</summary>
public sealed class LocalConnections
{
    readonly ConcurrentDictionary<string, (HubCallerContext Context, LiveSession Session)> _open = new();

    public void Add(LiveSession session, HubCallerContext context) => _open[session.ConnectionId] = (context, session);
    public void Remove(string connectionId) => _open.TryRemove(connectionId, out _);
    public LiveSession? Session(string connectionId) => _open.TryGetValue(connectionId, out var c) ? c.Session : null;
    public void Abort(string connectionId) { if (_open.TryGetValue(connectionId, out var c)) c.Context.Abort(); }
    public IEnumerable<LiveSession> Sessions => _open.Values.Select(c => c.Session);
    public int Count => _open.Count;
}

/// <summary>
/// The hub "room" (API.md "Live room"), in-process. Thin: it turns a connection into a
/// <see cref="LiveSession"/> from the access token checked by <see cref="LiveApi"/>, and hands every
/// invocation to <see cref="RoomCommands"/> and <see cref="LiveRoom"/>.
/// </summary>
public sealed class RoomHub(RoomCommands commands, LiveRoom room, LiveSessions sessions, LocalConnections local) : Hub
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
        Context.Items[SessionKey] = session;
        local.Add(session, Context);
        try
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, Live.Groups.Room(session.SiteId, session.RoomId), ct);
            var (entered, replaced) = await commands.Enter(session, ct);
            foreach (var old in replaced) local.Abort(old.ConnectionId);
            await room.Listen(session, await commands.ZonesFor(session, ct), ct);
            await room.Deliver(entered, ct);
            // L4: the snapshot is read after joining the groups, so nothing falls between it and the stream.
            await Clients.Caller.SendAsync(ClientMethods.Snapshot, await commands.Snapshot(session.SiteId, session.RoomId, ct), ct);
        }
        catch
        {
            // A tab closed while it was still entering: SignalR will not call OnDisconnectedAsync for a
            // connection whose OnConnectedAsync failed, so leave here, or the avatar stays as a ghost.
            local.Remove(Context.ConnectionId);
            room.Forget(session);
            await room.Deliver(await commands.Leave(session, CancellationToken.None), CancellationToken.None);
            throw;
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        local.Remove(Context.ConnectionId);
        if (Context.Items.TryGetValue(SessionKey, out var s) && s is LiveSession session)
        {
            room.Forget(session);
            await room.Deliver(await commands.Leave(session, CancellationToken.None), CancellationToken.None);
        }
    }

    public Task Move(MoveCommand c) => Run(s => commands.Move(s, c, Context.ConnectionAborted));
    public Task SetStatus(SetStatusCommand c) => Run(s => commands.SetStatus(s, c, Context.ConnectionAborted));
    public Task Knock(KnockCommand c) => Run(s => commands.Knock(s, c, Context.ConnectionAborted));
    public Task Focus(FocusCommand c) => Run(s => commands.Focus(s, c, Context.ConnectionAborted));
    public Task Message(MessageCommand c) => Run(s => commands.Message(s, c, Context.ConnectionAborted));
    public Task Board(BoardCommand c) => Run(s => commands.Board(s, c, Context.ConnectionAborted));
    public Task Mute(MuteCommand c) => Run(s => commands.Mute(s, c, Context.ConnectionAborted));
    public Task RingBell(RingBellCommand c) => Run(s => commands.RingBell(s, c, Context.ConnectionAborted));
    public Task ShareScreen(ShareScreenCommand c) => Run(s => commands.ShareScreen(s, c, Context.ConnectionAborted));
    public Task Signal(SignalCommand c) => Run(s => commands.Signal(s, c, Context.ConnectionAborted));

    public async Task Viewport(ViewportCommand c)
    {
        var s = Session;
        await Guard(async () => await room.Listen(s, await commands.Viewport(s, c, Context.ConnectionAborted), Context.ConnectionAborted));
    }

    public async Task VoiceArea(VoiceAreaCommand c)
    {
        await Run(s => commands.VoiceArea(s, c, Context.ConnectionAborted));
        await room.Listen(Session, await commands.ZonesFor(Session, Context.ConnectionAborted), Context.ConnectionAborted);
    }

    public async Task Leave(LeaveCommand? c)
    {
        var s = Session;
        s.HasLeft = true;
        await room.Deliver(await commands.Leave(s, Context.ConnectionAborted), Context.ConnectionAborted);
        // Gone from the room: nothing of it reaches this connection any more.
        await room.Listen(s, new HashSet<(int, int)>(), Context.ConnectionAborted);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Live.Groups.Room(s.SiteId, s.RoomId), Context.ConnectionAborted);
    }

    async Task Run(Func<LiveSession, Task<Outcome>> command)
    {
        var s = Session;
        await Guard(async () => await room.Deliver(await command(s), Context.ConnectionAborted));
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
        Audience.Room { Except: null } r => hub.Clients.Group(Live.Groups.Room(r.SiteId, r.RoomId)).SendAsync(method, payload, ct),
        Audience.Room r => hub.Clients.GroupExcept(Live.Groups.Room(r.SiteId, r.RoomId), r.Except).SendAsync(method, payload, ct),
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
