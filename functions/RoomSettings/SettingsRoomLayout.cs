using Zawaroom.Identity;
using Zawaroom.Live;

namespace Zawaroom.RoomSettings;

/// <summary>
/// The live room's view of a room's settings (<see cref="IRoomLayout"/>): the background's size,
/// the meeting rooms, the entry position (R5, R7, R8), the voice reach (R4) and the entry permission (R3).
/// </summary>
public sealed class SettingsRoomLayout(RoomSettingsStore settings) : IRoomLayout
{
    public async Task<RoomGeometry> Geometry(string siteId, string roomId, CancellationToken ct)
    {
        var doc = (await settings.Get(siteId, roomId, ct)).Value;
        var entry = EntryPosition.Of(doc);
        return new RoomGeometry(doc.Background.Width, doc.Background.Height, new Live.Point(entry.X, entry.Y),
            doc.MeetingRooms.Select(m => new MeetingArea(m.Id, m.Name, new Area(m.X, m.Y, m.Width, m.Height), Audio(m.AudioMode))).ToList(),
            doc.Sound.VoiceReach);
    }

    static MeetingAudio Audio(AudioMode mode) => mode switch
    {
        AudioMode.ByDistance => MeetingAudio.ByDistance,
        AudioMode.None => MeetingAudio.None,
        _ => MeetingAudio.WholeRoom,
    };

    public async Task<bool> MayEnter(string siteId, string roomId, Caller caller, CancellationToken ct) =>
        EntryPermission.Allows((await settings.Get(siteId, roomId, ct)).Value.Entry, caller.Email);
}
