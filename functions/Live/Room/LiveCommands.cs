using System.Text.Json;

namespace Zawaroom.Live;

// The hub's client -> server invocations (API.md "Live room"), one object argument each.
// `Cid` is the client's command id: a retry with the same id is applied and logged once.

public sealed record MoveCommand(double X, double Y);
public sealed record ViewportCommand(double X, double Y, double Width, double Height);
public sealed record SetStatusCommand(string? Status, string? Cid);
public sealed record KnockCommand(string? Email, string? Cid);
public sealed record FocusCommand(bool Focused, string? Cid);
public sealed record MessageCommand(string? Text, string? Cid);
public sealed record BoardCommand(string? Id, string? Kind, string? Text, double X, double Y, string? Cid);
public sealed record MuteCommand(string? Kind, bool Muted, string? Cid);
public sealed record VoiceAreaCommand(double Reach, string? Cid);
public sealed record RingBellCommand(string? Cid);
public sealed record ShareScreenCommand(bool Sharing, string? Cid);
public sealed record SignalCommand(string? To, JsonElement Data);
public sealed record LeaveCommand;
public sealed record HeartbeatCommand;
public sealed record ResyncCommand;

// Server -> client payloads.

/// <summary>Someone in the room: <c>reach</c> is their voice reach (px), <c>inZoomMeeting</c> whether a Zoom meeting of theirs is running (Z8).</summary>
public sealed record Person(string Email, string Name, double X, double Y, string Status, string? MeetingRoomId, double Reach, bool InZoomMeeting);
/// <summary>The room now; <c>seq</c> is the last room-wide push it already reflects (L4).</summary>
public sealed record Snapshot(IReadOnlyList<Person> People, IReadOnlyList<Board> Boards, long Seq = 0)
{
    /// <summary>R2 placed images (PlacedImages), oldest first.</summary>
    public IReadOnlyList<PlacedImage> Images { get; init; } = [];
}
/// <summary>Z8: a member's Zoom meeting started or ended.</summary>
public sealed record ZoomChanged(string Email, bool InZoomMeeting);
public sealed record Left(string Email);
public sealed record Moved(string Email, double X, double Y, string? MeetingRoomId);
public sealed record Knocked(string From, string Name);
public sealed record Signalled(string From, JsonElement Data);

/// <summary>The method names the browser listens to.</summary>
public static class ClientMethods
{
    public const string Snapshot = "snapshot";
    public const string Entered = "entered";
    public const string Left = "left";
    public const string Moved = "moved";
    public const string Event = "event";
    public const string Knocked = "knocked";
    public const string Signal = "signal";
    public const string Zoom = "zoom";
}

/// <summary>
/// One connection's place in the live room: who, which room, and what it listens to. Built when
/// the connection starts from its access token and the room's settings; lives as long as the connection.
/// </summary>
public sealed class LiveSession(LiveTicket ticket, string connectionId, string roomName, string spaceId, string spaceName, RoomGeometry geometry)
{
    public LiveTicket Ticket { get; } = ticket;
    public string ConnectionId { get; } = connectionId;
    public string SiteId => Ticket.SiteId;
    public string RoomId => Ticket.RoomId;
    public string Email => Ticket.Email;
    public string Name => Ticket.Name;
    public string RoomName { get; } = roomName;
    public string SpaceId { get; } = spaceId;
    public string SpaceName { get; } = spaceName;
    public RoomGeometry Geometry { get; } = geometry;

    /// <summary>The last viewport the client sent; null until its first <c>Viewport</c>.</summary>
    public Area? Viewport { get; set; }
    public double VoiceReach { get; set; } = geometry.VoiceReach;
    /// <summary>The zone groups the connection is in; guarded by the hub's one-invocation-at-a-time rule.</summary>
    public HashSet<(int Column, int Row)> Zones { get; } = [];
    public bool HasLeft { get; set; }

    /// <summary>Per-connection protection: moves coalesced above a rate, other commands token-bucketed.</summary>
    public ConnectionThrottle? Throttle { get; set; }
    /// <summary>Up to when the sweep last renewed this connection's presence.</summary>
    public DateTimeOffset Renewed { get; set; }
}
