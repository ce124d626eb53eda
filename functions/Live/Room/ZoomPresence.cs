using System.Text.Json;
using Zawaroom.Rooms;
using Zawaroom.Schedules;
using Zawaroom.Storage;
using Zawaroom.ZoomSync;

namespace Zawaroom.Live;

/// <summary>
/// Z8: which members are in a Zoom meeting, one document per member (kind "inzoom") listing the
/// running meetings, each with an expiry, so someone entering a room later still sees it, and a
/// missed <c>meeting.ended</c> does not leave the flag on for ever.
/// </summary>
public sealed class ZoomMeetingStatus(IDocumentStore store, TimeProvider clock)
{
    public const string Kind = "inzoom";
    /// <summary>A meeting whose end never arrives stops counting after this long.</summary>
    public static readonly TimeSpan MaxMeeting = TimeSpan.FromHours(12);

    public sealed record Running(long MeetingId, DateTimeOffset ExpiresAt);
    public sealed record InZoom(IReadOnlyList<Running> Meetings);

    public async Task<bool> IsInMeeting(string siteId, string email, CancellationToken ct)
    {
        var doc = await store.Get<InZoom>(siteId, Kind, email, ct);
        var now = clock.GetUtcNow();
        return doc is not null && doc.Value.Meetings.Any(m => m.ExpiresAt > now);
    }

    /// <summary>Records the change; answers whether the member is in any meeting afterwards.</summary>
    public async Task<bool> Set(string siteId, string email, long meetingId, bool started, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var current = await store.Get<InZoom>(siteId, Kind, email, ct);
            var others = (current?.Value.Meetings ?? []).Where(m => m.MeetingId != meetingId && m.ExpiresAt > now).ToList();
            var next = new InZoom(started ? [.. others, new Running(meetingId, now + MaxMeeting)] : others);
            try
            {
                if (next.Meetings.Count == 0)
                {
                    if (current is not null) await store.Delete(siteId, Kind, email, current.ETag, ct);
                }
                else if (current is null) await store.Create(siteId, Kind, email, next, ct);
                else await store.Replace(siteId, Kind, email, next, current.ETag, ct);
                return next.Meetings.Count > 0;
            }
            catch (Exception e) when (e is ConcurrencyException or DocumentExistsException && attempt < 20)
            {
            }
        }
    }
}

/// <summary>
/// Z8: <c>meeting.started</c> / <c>meeting.ended</c> from Zoom's webhook (signature checked and
/// de-duplicated by <see cref="ZoomWebhooksApi"/>): the meeting's linked schedule entry names its owner,
/// whose avatar shows "in a Zoom meeting" in every room of the site they are in (a room-wide <c>zoom</c> push).
/// </summary>
public sealed class ZoomPresence(IDocumentStore store, ZoomMeetingStatus status, RoomDirectory rooms, RoomCommands commands, LiveRoom room,
    ILogger<ZoomPresence> logger)
{
    public const string Started = "meeting.started", Ended = "meeting.ended";

    public async Task Apply(string siteId, string eventName, JsonElement payload, CancellationToken ct)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("object", out var meeting) || meeting.ValueKind != JsonValueKind.Object
            || !meeting.TryGetProperty("id", out var idValue) || !TryLong(idValue, out var meetingId))
            return;
        var started = eventName == Started;
        var owners = new HashSet<string>();
        await foreach (var link in store.List<MeetingLink>(siteId, SiteSync.LinkKind, ct))
        {
            if (link.Value.MeetingId != meetingId || link.Value.State == LinkState.Unlinked) continue;
            if ((await store.Get<ScheduleEntry>(siteId, ScheduleBook.Kind, link.Value.EntryId, ct))?.Value is { } entry) owners.Add(entry.Owner);
        }
        foreach (var owner in owners)
        {
            var inMeeting = await status.Set(siteId, owner, meetingId, started, ct);
            logger.LogInformation("Zoom meeting {Meeting} of {Email} on site {Site}: {Event}.", meetingId, owner, siteId, eventName);
            foreach (var r in await rooms.AllRooms(siteId, ct))
                await room.Apply(siteId, r.Id, () => commands.SetZoom(siteId, r.Id, owner, inMeeting, ct), ct);
        }
    }

    static bool TryLong(JsonElement value, out long id)
    {
        id = 0;
        return value.ValueKind == JsonValueKind.Number ? value.TryGetInt64(out id) : long.TryParse(value.GetString(), out id);
    }
}
