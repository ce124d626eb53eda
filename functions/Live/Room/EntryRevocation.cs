using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Presence;

namespace Zawaroom.Live;

/// <summary>
/// R3 for the whole stay: after a room's entry permission changed, every connection in the room
/// whose member it no longer admits leaves it at once, as a deleted member does (<see cref="MemberRemoval"/>):
/// the others get <c>left</c>, "leave room" is logged once, the connection is closed. A ticket issued
/// before the change is refused when it connects (<see cref="RoomCalls.Connect"/>).
/// </summary>
public sealed class EntryRevocation(IServiceProvider services, ILogger<EntryRevocation> logger) : IEntryPermissionWatcher
{
    // Resolved when used: the room settings that call this are what the entry check reads.
    public async Task EntryChanged(string siteId, string roomId, CancellationToken ct)
    {
        var presence = services.GetRequiredService<IPresenceStore>();
        var inside = await presence.InRoom(siteId, roomId, ct);
        if (inside.Count == 0) return;
        var layout = services.GetRequiredService<IRoomLayout>();
        var members = services.GetRequiredService<MemberDirectory>();
        LiveSessions.RoomFacts? facts = null;
        foreach (var record in inside)
        {
            var member = await members.Find(siteId, record.Email, ct);
            if (member is not null && await layout.MayEnter(siteId, roomId, new Caller(siteId, member.Email, member.Name, member.Role, member.AuthType), ct))
                continue;
            facts ??= await services.GetRequiredService<LiveSessions>().Describe(siteId, roomId, ct)
                ?? new LiveSessions.RoomFacts("", "", "", RoomGeometry.Default);
            var commands = services.GetRequiredService<RoomCommands>();
            await services.GetRequiredService<LiveRoom>().Apply(siteId, roomId,
                async () => commands.Departed(await presence.Remove(siteId, record.ConnectionId, ct), facts), ct);
            await services.GetRequiredService<IRoomBroadcaster>().Close(record.ConnectionId, ct);
            logger.LogInformation("{Email} was taken out of room {RoomId} of site {SiteId}: its entry permission no longer includes them.",
                record.Email, roomId, siteId);
        }
    }
}
