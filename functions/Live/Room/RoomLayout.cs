using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Rooms;

namespace Zawaroom.Live;

public sealed record Point(double X, double Y);

public sealed record Area(double X, double Y, double Width, double Height)
{
    public bool Contains(double x, double y) => x >= X && x < X + Width && y >= Y && y < Y + Height;
}

/// <summary>Who hears whom inside a meeting room (R7): everyone, by distance as outside, or nobody.</summary>
public enum MeetingAudio { WholeRoom, ByDistance, None }

/// <summary>A meeting room (R7) as the live room needs it: where it is, to tell "enter/leave sub room", and its audio mode (L3).</summary>
public sealed record MeetingArea(string Id, string Name, Area Bounds, MeetingAudio Audio = MeetingAudio.WholeRoom);

/// <summary>What the live room needs of a room's settings: its size, meeting rooms, entry position (R5, R7, R8).</summary>
public sealed record RoomGeometry(double Width, double Height, Point EntryPosition, IReadOnlyList<MeetingArea> MeetingRooms, double VoiceReach)
{
    public const double DefaultWidth = 4800, DefaultHeight = 2750, DefaultVoiceReach = 300;

    public static RoomGeometry Default { get; } =
        new(DefaultWidth, DefaultHeight, new Point(DefaultWidth / 2, DefaultHeight / 2), [], DefaultVoiceReach);

    public MeetingArea? MeetingRoomAt(double x, double y) => MeetingRooms.FirstOrDefault(m => m.Bounds.Contains(x, y));

    public Point Clamp(double x, double y) => new(Math.Clamp(x, 0, Width), Math.Clamp(y, 0, Height));
}

/// <summary>
/// The live room's view of room settings (R3 entry permission, R5/R7/R8 layout), implemented by the
/// room-settings feature from its documents (<c>SettingsRoomLayout</c>).
/// </summary>
public interface IRoomLayout
{
    Task<RoomGeometry> Geometry(string siteId, string roomId, CancellationToken ct);

    /// <summary>R3: whether this member may enter the room.</summary>
    Task<bool> MayEnter(string siteId, string roomId, Caller caller, CancellationToken ct);
}

/// <summary>Told by the room settings after a room's settings were saved, so a changed entry permission (R3) applies to who is inside now.</summary>
public interface IEntryPermissionWatcher
{
    Task EntryChanged(string siteId, string roomId, CancellationToken ct);
}

/// <summary>R3 at every door of the room (enter, negotiate, media, placed images): one check, one answer.</summary>
public static class RoomEntry
{
    /// <summary>The room exists on this site and is not in the trash (else 404), and the caller may enter it (else 403 entry-denied).</summary>
    public static async Task Require(this IRoomLayout layout, RoomDirectory rooms, string siteId, string roomId, Caller caller, CancellationToken ct)
    {
        await rooms.Get(siteId, roomId, ct);
        if (!await layout.MayEnter(siteId, roomId, caller, ct))
            throw Problems.Of(403, "entry-denied", "Entry denied", "This room's entry permission does not include you.");
    }
}
