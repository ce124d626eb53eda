using Zawaroom.Rooms;

namespace Zawaroom.Live;

/// <summary>Builds a connection's <see cref="LiveSession"/>: the room's names and geometry, read once per connection.</summary>
public sealed class LiveSessions(RoomDirectory rooms, IRoomLayout layout)
{
    public sealed record RoomFacts(string RoomName, string SpaceId, string SpaceName, RoomGeometry Geometry);

    /// <summary>Null when the room is gone (deleted or trashed since the token was issued).</summary>
    public async Task<LiveSession?> Start(LiveTicket ticket, string connectionId, CancellationToken ct)
    {
        var facts = await Describe(ticket.SiteId, ticket.RoomId, ct);
        return facts is null ? null : new LiveSession(ticket, connectionId, facts.RoomName, facts.SpaceId, facts.SpaceName, facts.Geometry);
    }

    public async Task<RoomFacts?> Describe(string siteId, string roomId, CancellationToken ct)
    {
        if (!await rooms.Exists(siteId, roomId, ct)) return null;
        var room = (await rooms.Get(siteId, roomId, ct)).Value;
        var spaces = await rooms.Spaces(siteId, ct);
        var space = spaces.FirstOrDefault(s => s.Id == room.SpaceId)?.Name ?? "";
        return new RoomFacts(room.Name, room.SpaceId, space, await layout.Geometry(siteId, roomId, ct));
    }
}
