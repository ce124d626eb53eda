using Zawaroom.Members;
using Zawaroom.Presence;
using Zawaroom.Rooms;

namespace Zawaroom.Live;

/// <summary>
/// A member deleted by an admin while inside a room leaves it at once: the others get <c>left</c>,
/// "leave room" is logged once, and the connection is closed. (Their tickets stop working because
/// the hub checks membership on every connection, see <see cref="LiveApi.MapLiveHub"/>.)
/// </summary>
public sealed class MemberRemoval(IServiceProvider services) : IMemberLifecycle
{
    // Resolved when used: the live room's services depend, through identity, on the member directory that calls this.
    RoomDirectory Rooms => services.GetRequiredService<RoomDirectory>();
    IPresenceStore Presence => services.GetRequiredService<IPresenceStore>();

    public async Task Deleted(string siteId, IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var gone = emails.ToHashSet();
        var commands = services.GetRequiredService<RoomCommands>();
        var room = services.GetRequiredService<LiveRoom>();
        var sessions = services.GetRequiredService<LiveSessions>();
        var broadcaster = services.GetRequiredService<IRoomBroadcaster>();
        foreach (var r in await Rooms.AllRooms(siteId, ct))
        {
            var theirs = (await Presence.InRoom(siteId, r.Id, ct)).Where(p => gone.Contains(p.Email)).ToList();
            if (theirs.Count == 0) continue;
            var facts = await sessions.Describe(siteId, r.Id, ct) ?? new LiveSessions.RoomFacts(r.Name, r.SpaceId, "", RoomGeometry.Default);
            foreach (var record in theirs)
            {
                await room.Apply(siteId, r.Id, async () => commands.Departed(await Presence.Remove(siteId, record.ConnectionId, ct), facts), ct);
                await broadcaster.Close(record.ConnectionId, ct);
            }
        }
    }
}
