namespace Zawaroom.Presence;

/// <summary>
/// One live connection inside a room (L1). A member with two tabs has two records; the live room
/// keeps one per member and room by replacing the older one. <see cref="Reach"/> is the voice reach
/// (px; 0 = the room's default), <see cref="InZoomMeeting"/> whether a Zoom meeting of the member runs (Z8).
/// </summary>
public sealed record PresenceRecord(
    string SiteId,
    string RoomId,
    string ConnectionId,
    string Email,
    string Name,
    double X,
    double Y,
    string Status,
    string? MeetingRoomId,
    DateTimeOffset LastHeartbeat,
    double Reach = 0,
    bool InZoomMeeting = false,
    SessionState? Session = null);

/// <summary>
/// What a connection listens to (viewport, voice reach, zone groups joined). The in-process hub keeps
/// it in memory; with Azure SignalR Service (serverless) every upstream call may reach another
/// instance, so it is kept on the presence record.
/// </summary>
public sealed record SessionState(ViewRect? Viewport, double? VoiceReach, IReadOnlyList<ZoneRef> Zones);
public sealed record ViewRect(double X, double Y, double Width, double Height);
public sealed record ZoneRef(int Column, int Row);

/// <summary>
/// The writable side of presence, used only by the live room.
/// <para>
/// Contract, so that a store-backed adapter shared by many instances can implement it:
/// every call names the site (the partition); a record whose <see cref="PresenceRecord.LastHeartbeat"/>
/// is older than the configured timeout counts as gone for every read (<see cref="InRoom"/>,
/// <see cref="IPresenceReader.Occupants"/>) even before <see cref="Expired"/> lets the sweep remove
/// it, so a crashed instance leaves no ghosts and a TTL only has to clean up behind. Positions
/// passed to <see cref="Move"/> may be kept debounced (the last one on stop, at most every few
/// seconds): readers use them for snapshots, never for live movement.
/// </para>
/// </summary>
public interface IPresenceStore : IPresenceReader
{
    /// <summary>Adds or replaces the record of its connection.</summary>
    Task Join(PresenceRecord record, CancellationToken ct);

    /// <summary>The live record of a connection, or null when it is gone or expired.</summary>
    Task<PresenceRecord?> Get(string siteId, string connectionId, CancellationToken ct);

    /// <summary>Applies <paramref name="change"/> to the record; null when the record is gone.</summary>
    Task<PresenceRecord?> Update(string siteId, string connectionId, Func<PresenceRecord, PresenceRecord> change, CancellationToken ct);

    /// <summary>How long a position given to <see cref="Move"/> may take before another instance reads it (the debounce).</summary>
    TimeSpan MoveDelay => TimeSpan.Zero;

    /// <summary>The newest position of a connection; adapters may debounce the write (<see cref="MoveDelay"/>).</summary>
    Task Move(string siteId, string connectionId, double x, double y, string? meetingRoomId, CancellationToken ct);

    /// <summary>Marks the connections as alive now (the instance that holds them calls this on every sweep).</summary>
    Task Heartbeat(string siteId, IReadOnlyCollection<string> connectionIds, DateTimeOffset at, CancellationToken ct);

    /// <summary>Removes the record; returns it, or null when someone else removed it first (so only one caller says "left").</summary>
    Task<PresenceRecord?> Remove(string siteId, string connectionId, CancellationToken ct);

    /// <summary>The live records of one room.</summary>
    Task<IReadOnlyList<PresenceRecord>> InRoom(string siteId, string roomId, CancellationToken ct);

    /// <summary>
    /// Removes the record only when its heartbeat is still before <paramref name="cutoff"/>: the sweep's
    /// removal. Of several instances sweeping at once exactly one gets the record; a record renewed
    /// since it was listed as expired stays.
    /// </summary>
    async Task<PresenceRecord?> RemoveExpired(string siteId, string connectionId, DateTimeOffset cutoff, CancellationToken ct) =>
        await Remove(siteId, connectionId, ct);

    /// <summary>Records of every site whose last heartbeat is before <paramref name="cutoff"/>: what the sweep removes.</summary>
    Task<IReadOnlyList<PresenceRecord>> Expired(DateTimeOffset cutoff, CancellationToken ct);
}

public sealed class PresenceOptions
{
    /// <summary>A record whose heartbeat is older than this is gone (no ghosts after a crash).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
