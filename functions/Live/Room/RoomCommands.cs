using System.Security.Cryptography;
using System.Text;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Logs;
using Zawaroom.Members;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>Who a push goes to.</summary>
public abstract record Audience
{
    /// <summary>Everyone in the room, optionally but one connection.</summary>
    public sealed record Room(string SiteId, string RoomId, string? Except = null) : Audience;
    public sealed record Connections(IReadOnlyList<string> Ids) : Audience;
}

public sealed record Push(Audience To, string Method, object Payload);

/// <summary>A position for the move batcher: sent on the next tick to the zones it was in and is in now.</summary>
public sealed record PendingMove(string SiteId, string RoomId, Moved Move, (int, int) FromZone, (int, int) ToZone, long Arrived = 0);

/// <summary>What a command decided: what to log (first), then what to push.</summary>
public sealed record Outcome(IReadOnlyList<UsageEvent> Logs, IReadOnlyList<Push> Pushes, PendingMove? Move = null)
{
    public static Outcome Nothing { get; } = new([], []);
}

/// <summary>
/// The one unit that validates and applies every live command (ARCHITECTURE.md "The live room").
/// It changes presence and boards and answers what to log and what to push; delivering is the
/// caller's (<see cref="LiveRoom"/>), so the in-process hub and an Azure SignalR upstream share it.
/// Invalid commands throw a 400 <see cref="ProblemException"/>.
/// </summary>
public sealed class RoomCommands(IPresenceStore presence, BoardStore boards, PlacedImageStore images, ZoomMeetingStatus zoomStatus,
    MemberDirectory members, IRoomAdminCheck roomAdmins, TimeProvider clock)
{
    public static readonly ZoneGrid Grid = new(ZoneGrid.DefaultZoneSize);
    public const int MaxStatus = 50, MaxMessage = 1000, MaxBoardText = 2000;
    public const double MaxVoiceReach = 5000;

    public async Task<Outcome> Move(LiveSession s, MoveCommand c, CancellationToken ct)
    {
        RequireFinite(c.X, c.Y);
        var me = await Me(s, ct);
        var to = s.Geometry.Clamp(c.X, c.Y);
        var meetingRoom = s.Geometry.MeetingRoomAt(to.X, to.Y);
        await presence.Move(s.SiteId, s.ConnectionId, to.X, to.Y, meetingRoom?.Id, ct);
        var logs = new List<UsageEvent>();
        var pushes = new List<Push>();
        if (meetingRoom?.Id != me.MeetingRoomId)
        {
            var now = clock.GetUtcNow();
            var old = s.Geometry.MeetingRooms.FirstOrDefault(m => m.Id == me.MeetingRoomId);
            var moveId = Guid.NewGuid().ToString("N");
            if (old is not null) Action(s, now, EventTypes.LeaveSubRoom, $"{moveId}|leave", old.Name, [], logs, pushes);
            if (meetingRoom is not null) Action(s, now, EventTypes.EnterSubRoom, $"{moveId}|enter", meetingRoom.Name, [], logs, pushes);
        }
        var moved = new Moved(s.Email, to.X, to.Y, meetingRoom?.Id);
        return new Outcome(logs, pushes, new PendingMove(s.SiteId, s.RoomId, moved, Grid.ZoneOf(me.X, me.Y), Grid.ZoneOf(to.X, to.Y)));
    }

    /// <summary>The zones the connection should listen to now (its viewport widened by its voice reach).</summary>
    public async Task<IReadOnlySet<(int, int)>> Viewport(LiveSession s, ViewportCommand c, CancellationToken ct)
    {
        RequireFinite(c.X, c.Y, c.Width, c.Height);
        if (c.Width <= 0 || c.Height <= 0) throw Problems.Validation("A viewport needs a positive width and height.");
        s.Viewport = new Area(c.X, c.Y, c.Width, c.Height);
        return await ZonesFor(s, ct);
    }

    public async Task<IReadOnlySet<(int, int)>> ZonesFor(LiveSession s, CancellationToken ct)
    {
        var view = s.Viewport;
        if (view is null)
        {
            var me = await Me(s, ct);
            view = Grid.DefaultViewAround(me.X, me.Y);
        }
        return Grid.Covering(view, s.VoiceReach, s.Geometry);
    }

    public async Task<Outcome> SetStatus(LiveSession s, SetStatusCommand c, CancellationToken ct)
    {
        var status = c.Status?.Trim();
        if (string.IsNullOrEmpty(status) || status.Length > MaxStatus) throw Problems.Validation($"A status has 1 to {MaxStatus} characters.");
        var me = await presence.Update(s.SiteId, s.ConnectionId, r => r with { Status = status }, ct) ?? throw Gone();
        return Logged(s, me, c.Cid, EventTypes.Status, new() { ["status"] = status });
    }

    public async Task<Outcome> Knock(LiveSession s, KnockCommand c, CancellationToken ct)
    {
        var target = c.Email?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(target)) throw Problems.Validation("Knock needs the e-mail of someone in the room.");
        var me = await Me(s, ct);
        var theirs = (await presence.InRoom(s.SiteId, s.RoomId, ct)).Where(r => r.Email == target).Select(r => r.ConnectionId).ToList();
        if (theirs.Count == 0) throw Problems.Of(404, "not-found", "Not in the room", $"{target} is not in this room.");
        var outcome = Logged(s, me, c.Cid, EventTypes.KnockUser, new() { ["target"] = target });
        return outcome with { Pushes = [.. outcome.Pushes, new Push(new Audience.Connections(theirs), ClientMethods.Knocked, new Knocked(s.Email, s.Name))] };
    }

    public async Task<Outcome> Focus(LiveSession s, FocusCommand c, CancellationToken ct) =>
        Logged(s, await Me(s, ct), c.Cid, EventTypes.IsFocus, new() { ["focused"] = c.Focused ? "true" : "false" });

    public async Task<Outcome> Message(LiveSession s, MessageCommand c, CancellationToken ct)
    {
        var text = c.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxMessage) throw Problems.Validation($"A message has 1 to {MaxMessage} characters.");
        return Logged(s, await Me(s, ct), c.Cid, EventTypes.UserMessage, new() { ["message"] = text });
    }

    public async Task<Outcome> Board(LiveSession s, BoardCommand c, CancellationToken ct)
    {
        if (c.Kind is not ("sticky" or "signboard")) throw Problems.Validation("A board's kind is 'sticky' or 'signboard'.");
        var text = c.Text ?? "";
        if (text.Length > MaxBoardText) throw Problems.Validation($"A board has at most {MaxBoardText} characters.");
        RequireFinite(c.X, c.Y);
        var me = await Me(s, ct);
        // Without an id the board is new; its id comes from the command id, so a retry finds the same board.
        var id = c.Id ?? (c.Cid is { Length: > 0 } ? ShortHash($"{s.Email}|{c.Cid}") : Guid.NewGuid().ToString("N")[..16]);
        var existing = await boards.Find(s.SiteId, s.RoomId, id, ct);
        if (c.Id is not null && existing is null) throw Problems.Of(404, "not-found", "No such board", "There is no such board in this room.");
        if (existing is not null && existing.Author != s.Email && !await MayEditOthers(s, ct))
            throw Problems.Forbidden("Only the board's author and this room's administrators can edit or move it.");
        var at = s.Geometry.Clamp(c.X, c.Y);
        var board = new Board(id, c.Kind, text, at.X, at.Y, existing?.Author ?? s.Email, clock.GetUtcNow());
        await boards.Save(s.SiteId, s.RoomId, board, ct);
        var type = existing is null ? EventTypes.RegisterBoard : EventTypes.UpdateBoard;
        return Logged(s, me, c.Cid, type, new() { ["boardId"] = id, ["kind"] = c.Kind, ["text"] = text }, new() { ["board"] = board });
    }

    /// <summary>A site admin or a room admin of this room may change what others placed (as with placed images).</summary>
    async Task<bool> MayEditOthers(LiveSession s, CancellationToken ct) =>
        (await members.Find(s.SiteId, s.Email, ct))?.Role == Roles.SiteAdmin
        || await roomAdmins.IsRoomAdmin(s.SiteId, s.RoomId, s.Email, ct);

    public async Task<Outcome> Mute(LiveSession s, MuteCommand c, CancellationToken ct)
    {
        var type = c.Kind switch
        {
            "audio" => EventTypes.AudioMuted,
            "speaker" => EventTypes.SpeakerMuted,
            "video" => EventTypes.VideoMuted,
            _ => throw Problems.Validation("Mute's kind is 'audio', 'speaker' or 'video'."),
        };
        return Logged(s, await Me(s, ct), c.Cid, type, new() { ["muted"] = c.Muted ? "true" : "false" });
    }

    public async Task<Outcome> VoiceArea(LiveSession s, VoiceAreaCommand c, CancellationToken ct)
    {
        RequireFinite(c.Reach);
        if (c.Reach <= 0 || c.Reach > MaxVoiceReach) throw Problems.Validation($"A voice reach is above 0 and at most {MaxVoiceReach}.");
        var me = await presence.Update(s.SiteId, s.ConnectionId, r => r with { Reach = c.Reach }, ct) ?? throw Gone();
        s.VoiceReach = c.Reach;
        return Logged(s, me, c.Cid, EventTypes.VoiceArea, new() { ["reach"] = c.Reach.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task<Outcome> RingBell(LiveSession s, RingBellCommand c, CancellationToken ct) =>
        Logged(s, await Me(s, ct), c.Cid, EventTypes.RingBell, []);

    public async Task<Outcome> ShareScreen(LiveSession s, ShareScreenCommand c, CancellationToken ct) =>
        Logged(s, await Me(s, ct), c.Cid, c.Sharing ? EventTypes.StartShareScreen : EventTypes.StopShareScreen, []);

    /// <summary>An image placed in the room (uploaded over HTTP, stored as a blob): logged and pushed like the other actions.</summary>
    public async Task<Outcome> RegisterImage(LiveSession s, PlacedImage image, string contentType, long bytes, string? cid, CancellationToken ct) =>
        Logged(s, await Me(s, ct), cid, EventTypes.RegisterImage,
            new() { ["imageId"] = image.Id, ["contentType"] = contentType, ["bytes"] = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new() { ["url"] = image.Url, ["image"] = image });

    public static string ImageId(string email, string? cid) =>
        string.IsNullOrEmpty(cid) ? Guid.NewGuid().ToString("N")[..16] : ShortHash($"{email}|image|{cid}");

    /// <summary>
    /// WebRTC signalling, only between people in the same room who hear each other (L3, with the
    /// server's slack on distance); not logged. Refused with 403 <c>not-audible</c>.
    /// </summary>
    public async Task<Outcome> Signal(LiveSession s, SignalCommand c, CancellationToken ct)
    {
        var target = c.To?.Trim().ToLowerInvariant();
        var me = await Me(s, ct);
        var theirs = (await presence.InRoom(s.SiteId, s.RoomId, ct)).Where(r => r.Email == target).ToList();
        if (theirs.Count == 0) throw Problems.Of(404, "not-found", "Not in the room", $"{target} is not in this room.");
        var (a, b) = (ListenerOf(me, s.Geometry), ListenerOf(theirs[0], s.Geometry));
        if (!Hearing.CanHear(a, b, s.Geometry.MeetingRooms, Hearing.ServerSlack))
            throw Problems.Of(403, "not-audible", "Not audible", $"{target} cannot hear you: {Hearing.WhyNot(a, b, s.Geometry.MeetingRooms)}.");
        return new Outcome([], [new Push(new Audience.Connections(theirs.Select(r => r.ConnectionId).ToList()), ClientMethods.Signal, new Signalled(s.Email, c.Data))]);
    }

    public static Listener ListenerOf(PresenceRecord r, RoomGeometry geometry) =>
        new(r.X, r.Y, r.Reach > 0 ? r.Reach : geometry.VoiceReach, r.MeetingRoomId);

    /// <summary>Z8: marks the member's records in the room; a room-wide <c>zoom</c> push when that changed anything.</summary>
    public async Task<Outcome> SetZoom(string siteId, string roomId, string email, bool inZoomMeeting, CancellationToken ct)
    {
        var changed = false;
        foreach (var r in (await presence.InRoom(siteId, roomId, ct)).Where(r => r.Email == email && r.InZoomMeeting != inZoomMeeting))
            changed |= await presence.Update(siteId, r.ConnectionId, x => x with { InZoomMeeting = inZoomMeeting }, ct) is not null;
        return changed
            ? new Outcome([], [new Push(new Audience.Room(siteId, roomId), ClientMethods.Zoom, new ZoomChanged(email, inZoomMeeting))])
            : Outcome.Nothing;
    }

    /// <summary>L1: the connection's record at the entry position; the older connection of the same member in this room is replaced.</summary>
    public async Task<(Outcome Outcome, IReadOnlyList<PresenceRecord> Replaced)> Enter(LiveSession s, CancellationToken ct)
    {
        var inRoom = await presence.InRoom(s.SiteId, s.RoomId, ct);
        var older = inRoom.Where(r => r.Email == s.Email && r.ConnectionId != s.ConnectionId).ToList();
        var replaced = new List<PresenceRecord>();
        foreach (var r in older)
            if (await presence.Remove(s.SiteId, r.ConnectionId, ct) is { } removed) replaced.Add(removed);
        var keep = replaced.FirstOrDefault();
        var at = keep is null
            ? EntrySpread.Place(s.Geometry.EntryPosition, inRoom.Where(r => r.Email != s.Email).Select(r => (r.X, r.Y)), s.Geometry)
            : new Point(keep.X, keep.Y);
        var meetingRoom = s.Geometry.MeetingRoomAt(at.X, at.Y);
        var now = clock.GetUtcNow();
        if (keep is { Reach: > 0 }) s.VoiceReach = keep.Reach;
        var inZoom = await zoomStatus.IsInMeeting(s.SiteId, s.Email, ct);
        var me = new PresenceRecord(s.SiteId, s.RoomId, s.ConnectionId, s.Email, s.Name, at.X, at.Y, keep?.Status ?? "online", meetingRoom?.Id, now,
            s.VoiceReach, inZoom);
        await presence.Join(me, ct);

        var logs = new List<UsageEvent>();
        var pushes = new List<Push> { new(new Audience.Room(s.SiteId, s.RoomId, s.ConnectionId), ClientMethods.Entered, PersonOf(me)) };
        // A replaced connection (reconnect, second tab) is the same visit: no second "enter room".
        if (keep is null)
        {
            logs.Add(Usage(s, now, EventTypes.EnterRoom, $"{s.ConnectionId}|enter", "", []));
            if (meetingRoom is not null) logs.Add(Usage(s, now, EventTypes.EnterSubRoom, $"{s.ConnectionId}|enter-sub", meetingRoom.Name, []));
        }
        return (new Outcome(logs, pushes), replaced);
    }

    /// <summary><c>Heartbeat {}</c>: renews the connection's presence (what keeps it alive when the app holds no connections).</summary>
    public async Task Heartbeat(LiveSession s, CancellationToken ct)
    {
        await presence.Heartbeat(s.SiteId, [s.ConnectionId], clock.GetUtcNow(), ct);
        await Me(s, ct);
    }

    /// <summary>Leave, disconnect or sweep: removes the record once; whoever removes it tells the room and logs.</summary>
    public async Task<Outcome> Leave(LiveSession s, CancellationToken ct) =>
        Departed(await presence.Remove(s.SiteId, s.ConnectionId, ct), new LiveSessions.RoomFacts(s.RoomName, s.SpaceId, s.SpaceName, s.Geometry));

    public Outcome Departed(PresenceRecord? gone, LiveSessions.RoomFacts room)
    {
        if (gone is null) return Outcome.Nothing;
        var now = clock.GetUtcNow();
        var logs = new List<UsageEvent>();
        var meetingRoom = room.Geometry.MeetingRooms.FirstOrDefault(m => m.Id == gone.MeetingRoomId);
        UsageEvent Log(string type, string suffix, string subroom) => new()
        {
            Id = $"{gone.ConnectionId}|{suffix}", SiteId = gone.SiteId, EventDateTime = now, EventType = type,
            Email = gone.Email, Name = gone.Name, Space = room.SpaceName, Room = room.RoomName, SubroomName = subroom,
            SpaceId = room.SpaceId, RoomId = gone.RoomId,
        };
        if (meetingRoom is not null) logs.Add(Log(EventTypes.LeaveSubRoom, "leave-sub", meetingRoom.Name));
        logs.Add(Log(EventTypes.LeaveRoom, "leave", ""));
        return new Outcome(logs, [new Push(new Audience.Room(gone.SiteId, gone.RoomId), ClientMethods.Left, new Left(gone.Email))]);
    }

    /// <summary>The room's people, boards and placed images; <see cref="LiveRoom.Snapshot"/> adds the <c>seq</c> it reflects.</summary>
    public async Task<Snapshot> Snapshot(string siteId, string roomId, CancellationToken ct) => new(
        (await presence.InRoom(siteId, roomId, ct)).DistinctBy(r => r.Email).Select(PersonOf).ToList(),
        await boards.InRoom(siteId, roomId, ct)) { Images = await images.InRoom(siteId, roomId, ct) };

    public static Person PersonOf(PresenceRecord r) =>
        new(r.Email, r.Name, r.X, r.Y, r.Status, r.MeetingRoomId, r.Reach > 0 ? r.Reach : RoomGeometry.DefaultVoiceReach, r.InZoomMeeting);

    async Task<PresenceRecord> Me(LiveSession s, CancellationToken ct) =>
        await presence.Get(s.SiteId, s.ConnectionId, ct) ?? throw Gone();

    static ProblemException Gone() => Problems.Of(410, "not-in-room", "Not in the room", "This connection is no longer in the room; enter again.");

    Outcome Logged(LiveSession s, PresenceRecord me, string? cid, string type, Dictionary<string, string> details, Dictionary<string, object?>? extra = null)
    {
        var logs = new List<UsageEvent>();
        var pushes = new List<Push>();
        var subroom = s.Geometry.MeetingRooms.FirstOrDefault(m => m.Id == me.MeetingRoomId)?.Name ?? "";
        var id = string.IsNullOrEmpty(cid) ? Guid.NewGuid().ToString("N") : $"{s.Email}|{cid}";
        Action(s, clock.GetUtcNow(), type, id, subroom, details, logs, pushes, extra);
        return new Outcome(logs, pushes);
    }

    static void Action(LiveSession s, DateTimeOffset now, string type, string id, string subroom, Dictionary<string, string> details,
        List<UsageEvent> logs, List<Push> pushes, Dictionary<string, object?>? extra = null)
    {
        logs.Add(Usage(s, now, type, id, subroom, details));
        var payload = new Dictionary<string, object?> { ["type"] = type, ["email"] = s.Email, ["name"] = s.Name, ["subroom"] = subroom };
        foreach (var (k, v) in details) payload[k] = v;
        foreach (var (k, v) in extra ?? []) payload[k] = v;
        pushes.Add(new Push(new Audience.Room(s.SiteId, s.RoomId), ClientMethods.Event, payload));
    }

    static UsageEvent Usage(LiveSession s, DateTimeOffset now, string type, string id, string subroom, Dictionary<string, string> details) => new()
    {
        Id = id, SiteId = s.SiteId, EventDateTime = now.ToUniversalTime(), EventType = type, Email = s.Email, Name = s.Name,
        Space = s.SpaceName, Room = s.RoomName, SubroomName = subroom, Details = details, SpaceId = s.SpaceId, RoomId = s.RoomId,
    };

    static void RequireFinite(params double[] values)
    {
        if (values.Any(v => !double.IsFinite(v))) throw Problems.Validation("Coordinates must be finite numbers.");
    }

    static string ShortHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
