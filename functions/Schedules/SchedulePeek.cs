using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Presence;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.Schedules;

/// <summary>
/// L5: someone in a live room clicks another person's avatar and sees what that member is doing now
/// and next (time, title, the Zoom join link when the entry is linked). Only people in the same room
/// may look, and only at people in it; a member may show just "予定あり" (busy) instead of titles.
/// </summary>
public static class SchedulePeek
{
    public const string Kind = "scheduleVisibility";
    /// <summary>How far ahead "next" looks.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(7);

    /// <summary><c>titles</c>: time, title and join link; <c>busy</c>: only the time, shown as "予定あり".</summary>
    public sealed record Visibility(string Mode)
    {
        public static readonly Visibility Titles = new("titles");
    }

    public sealed record Slot(string Start, string End, bool AllDay, string? Title, string? JoinUrl);
    public sealed record Peek(string Email, string Visibility, Slot? Current, Slot? Next);

    public static void MapSchedulePeek(this RouteGroupBuilder api)
    {
        api.MapGet("/rooms/{id}/people/{email}/schedule", Get).Allow(Access.Member).WithTags("Live")
            .WithSummary("L5: the member's current and next schedule entry, for people in the same room only.");
        api.MapGet("/me/schedule-visibility", async (HttpContext http, IDocumentStore store, CancellationToken ct) =>
            await VisibilityOf(store, http.RequireSite().SiteId, http.Caller().Email, ct)).Allow(Access.Member).WithTags("Schedules");
        api.MapPut("/me/schedule-visibility", async (HttpContext http, Visibility body, IDocumentStore store, CancellationToken ct) =>
        {
            if (body.Mode is not ("titles" or "busy")) throw Problems.Validation("The schedule visibility is 'titles' or 'busy'.");
            var site = http.RequireSite();
            await store.Replace(site.SiteId, Kind, http.Caller().Email, body, null, ct);
            return body;
        }).Allow(Access.Member).WithTags("Schedules");
    }

    static async Task<Visibility> VisibilityOf(IDocumentStore store, string siteId, string email, CancellationToken ct) =>
        (await store.Get<Visibility>(siteId, Kind, email, ct))?.Value ?? Visibility.Titles;

    static async Task<Peek> Get(HttpContext http, string id, string email, IPresenceStore presence, ScheduleBook book,
        IDocumentStore store, Rooms.RoomDirectory rooms, TimeProvider clock, CancellationToken ct)
    {
        var site = http.RequireSite();
        await rooms.Get(site.SiteId, id, ct); // Another site's room id: 404, as if it did not exist.
        var caller = http.Caller();
        var target = email.Trim().ToLowerInvariant();
        var inRoom = await presence.InRoom(site.SiteId, id, ct);
        if (!inRoom.Any(r => r.Email == caller.Email))
            throw Problems.Of(409, "not-in-room", "Not in the room", "Only people in this room see the schedules of the people in it; enter the room first.");
        if (!inRoom.Any(r => r.Email == target))
            throw Problems.NotFound($"{target} is not in this room.");
        var visibility = (await VisibilityOf(store, site.SiteId, target, ct)).Mode;
        var (current, next) = NowAndNext(await book.OwnedBy(site.SiteId, target, ct), clock.GetUtcNow());
        Slot? View((ScheduleEntry Entry, Occurrence At)? o) => o is not { } x ? null : new Slot(
            x.At.Start.ToString("O"), x.At.End.ToString("O"), x.Entry.Content.AllDay,
            visibility == "busy" ? null : x.Entry.Content.Title,
            visibility == "busy" || x.Entry.Zoom.State != "linked" ? null : x.Entry.Zoom.JoinUrl);
        return new Peek(target, visibility, View(current), View(next));
    }

    /// <summary>The occurrence running at <paramref name="now"/> (the one that started last) and the first one starting after it.</summary>
    public static ((ScheduleEntry, Occurrence)? Current, (ScheduleEntry, Occurrence)? Next) NowAndNext(IEnumerable<ScheduleEntry> entries, DateTimeOffset now)
    {
        var around = entries
            .SelectMany(e => Occurrences.Between(e.Content, now.AddDays(-2), now + Horizon, 50).Select(o => (Entry: e, At: o)))
            .ToList();
        var current = around.Where(x => x.At.Start <= now && x.At.End > now).OrderByDescending(x => x.At.Start).Cast<(ScheduleEntry, Occurrence)?>().FirstOrDefault();
        var next = around.Where(x => x.At.Start > now).OrderBy(x => x.At.Start).Cast<(ScheduleEntry, Occurrence)?>().FirstOrDefault();
        return (current, next);
    }
}
