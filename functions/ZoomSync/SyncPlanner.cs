using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Schedules;

namespace Zawaroom.ZoomSync;

/// <summary>A meeting that should exist in Zoom (Z5): one per entry, or one per occurrence when Zoom cannot express the rule.</summary>
public sealed record DesiredMeeting(
    string Key, string EntryId, string Host, int Type, string Topic, DateTimeOffset Start, int DurationMinutes,
    string TimeZone, string Agenda, IReadOnlyList<string> Invitees, ZoomRecurrence? Recurrence,
    IReadOnlyList<OccurrenceChange>? Exceptions = null)
{
    /// <summary>The exceptions of a recurring meeting (not part of the fingerprint: each is applied on its own).</summary>
    public IReadOnlyList<OccurrenceChange> OccurrenceChanges => Exceptions ?? [];

    /// <summary>What Zoom holds for this meeting, hashed: a link whose fingerprint differs needs an update.</summary>
    public string Fingerprint { get; } = Hash(Host, Type, Topic, Start.UtcTicks, DurationMinutes, TimeZone, Agenda, Invitees, Recurrence);

    static string Hash(params object?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parts, Json.Options))))[..32];
}

/// <summary>
/// One exception of a recurring (type 8) meeting, by Zoom's occurrence_id (the occurrence's start by the rule, in
/// Unix milliseconds): deleted (<see cref="Start"/> null) or moved to <see cref="Start"/> for <see cref="DurationMinutes"/>.
/// <see cref="Restore"/>: a move that was taken back; the occurrence goes back to its own time.
/// </summary>
public sealed record OccurrenceChange(string OccurrenceId, DateTimeOffset? Start, int DurationMinutes, bool Restore = false)
{
    /// <summary>What the link records once the change is in Zoom.</summary>
    public string Spec => Start is null ? "deleted" : $"moved:{Start.Value.UtcTicks}:{DurationMinutes}";

    public static string IdOf(DateTimeOffset occurrence) => occurrence.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset TimeOf(string occurrenceId) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(occurrenceId, System.Globalization.CultureInfo.InvariantCulture));
}

public enum LinkState { Pending, Linked, Unlinked }

/// <summary>
/// The sync's record of a meeting it made (kind "zoomlink", id = key). Written as <see cref="LinkState.Pending"/>
/// (the intent) before the create call, so a crash before the answer is recorded is found on the next run.
/// </summary>
public sealed record MeetingLink
{
    public required string Key { get; init; }
    public required string EntryId { get; init; }
    public required string Host { get; init; }
    public required int Type { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required string Fingerprint { get; init; }
    public LinkState State { get; init; }
    public long? MeetingId { get; init; }
    public string? JoinUrl { get; init; }
    /// <summary>A recurring meeting's exceptions that are in Zoom: occurrence_id -> <see cref="OccurrenceChange.Spec"/>.</summary>
    public IReadOnlyDictionary<string, string>? Applied { get; init; }
}

public enum OnEntryRemoved { Delete, Keep }

public abstract record SyncOperation(string Key, string EntryId);
public sealed record CreateMeeting(DesiredMeeting Meeting, MeetingLink? Intent) : SyncOperation(Meeting.Key, Meeting.EntryId);
public sealed record UpdateMeeting(DesiredMeeting Meeting, MeetingLink Link) : SyncOperation(Meeting.Key, Meeting.EntryId);
/// <summary>Deletes the meeting in Zoom (a pending link: the one found by its key, if any) and the link.</summary>
public sealed record DeleteMeeting(MeetingLink Link) : SyncOperation(Link.Key, Link.EntryId);
/// <summary>Deletes or moves one occurrence of a linked recurring meeting (or moves it back).</summary>
public sealed record ChangeOccurrence(DesiredMeeting Meeting, MeetingLink Link, OccurrenceChange Change) : SyncOperation(Link.Key, Link.EntryId);
/// <summary>The site keeps meetings of removed entries: only the link goes.</summary>
public sealed record ForgetMeeting(MeetingLink Link) : SyncOperation(Link.Key, Link.EntryId);

/// <summary>Who may have meetings: the member's Zoom e-mail, for members with sync on and a verified e-mail.</summary>
public sealed record SyncSettings(string LocationName, TimeZoneInfo TimeZone, bool InviteAttendees, OnEntryRemoved OnEntryRemoved);

public static class DesiredMeetings
{
    public const string MarkerPrefix = "[zawaroom:";
    const int MaxOccurrencesPerEntry = 200;

    public static string Marker(string key) => $"{MarkerPrefix}{key}]";

    /// <summary>The key a meeting's agenda carries, or null.</summary>
    public static string? KeyIn(string? agenda)
    {
        if (agenda is null) return null;
        var at = agenda.LastIndexOf(MarkerPrefix, StringComparison.Ordinal);
        if (at < 0) return null;
        var end = agenda.IndexOf(']', at);
        return end < 0 ? null : agenda[(at + MarkerPrefix.Length)..end];
    }

    /// <summary>True when the entry should have meetings at all (location, owner), whatever the window.</summary>
    public static bool Qualifies(ScheduleEntry entry, IReadOnlyDictionary<string, string> hosts, SyncSettings settings) =>
        !entry.Content.AllDay && LocationMatch.Matches(entry.Content.Location, settings.LocationName) && hosts.ContainsKey(entry.Owner);

    /// <param name="hosts">member e-mail -> Zoom e-mail, for members whose sync is on and e-mail verified.</param>
    public static IEnumerable<DesiredMeeting> For(ScheduleEntry entry, IReadOnlyDictionary<string, string> hosts, SyncSettings settings, SyncWindow window)
    {
        if (!Qualifies(entry, hosts, settings)) yield break;
        var c = entry.Content;
        var host = hosts[entry.Owner];
        if (c.Recurrence is null)
        {
            if (window.Contains(c.Start)) yield return Meeting(entry.Id, entry, host, 2, c.Start, null, settings);
            yield break;
        }
        var recurrence = ZoomRecurrences.From(c);
        if (recurrence is not null)
        {
            if (Occurrences.Between(c, window.From, window.To, limit: 1).Count > 0)
                yield return Meeting(entry.Id, entry, host, 8, c.Start, recurrence, settings) with { Exceptions = Exceptions(c, window, settings) };
            yield break;
        }
        // One meeting per occurrence, keyed by where the rule puts it: a moved occurrence updates its meeting in place.
        foreach (var o in Occurrences.Between(c, window.From, window.To, MaxOccurrencesPerEntry).Where(o => window.Contains(o.Start)))
            yield return Meeting($"{entry.Id}@{o.RecurrenceId.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}", entry, host, 2, o.Start, null, settings)
                with { DurationMinutes = Minutes(o.End - o.Start) };
    }

    /// <summary>
    /// The EXDATEs and moved occurrences of a recurring meeting from the window's start on (earlier ones are history):
    /// only real occurrences of the rule, since Zoom knows no others.
    /// </summary>
    static List<OccurrenceChange>? Exceptions(EntryContent c, SyncWindow window, SyncSettings settings)
    {
        var moved = c.Moved ?? [];
        if (c.ExDates.Count == 0 && moved.Count == 0) return null;
        var bare = c with { ExDates = [], Moved = null };
        var changes = new List<OccurrenceChange>();
        // One bounded expansion for all of them, not one per EXDATE.
        var real = Occurrences.OccurrencesAmong(bare, c.ExDates.Where(x => x >= window.From).ToList());
        foreach (var x in c.ExDates.Where(x => x >= window.From && real.Contains(x)))
            changes.Add(new OccurrenceChange(OccurrenceChange.IdOf(x), null, 0));
        foreach (var m in moved.Where(m => m.Occurrence >= window.From && !c.ExDates.Contains(m.Occurrence)))
            changes.Add(new OccurrenceChange(OccurrenceChange.IdOf(m.Occurrence), TimeZoneInfo.ConvertTime(m.Start, settings.TimeZone), Minutes(m.End - m.Start)));
        return changes.OrderBy(x => x.OccurrenceId, StringComparer.Ordinal).ToList();
    }

    static int Minutes(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalMinutes));

    static DesiredMeeting Meeting(string key, ScheduleEntry entry, string host, int type, DateTimeOffset start, ZoomRecurrence? recurrence, SyncSettings settings)
    {
        var c = entry.Content;
        var marker = Marker(key);
        var description = c.Description.Length + marker.Length + 2 > 2000 ? c.Description[..(2000 - marker.Length - 3)] + "…" : c.Description;
        var agenda = description.Length == 0 ? marker : $"{description}\n\n{marker}";
        return new DesiredMeeting(key, entry.Id, host, type, c.Title.Length > 200 ? c.Title[..200] : c.Title,
            TimeZoneInfo.ConvertTime(start, settings.TimeZone), Math.Max(1, (int)Math.Ceiling((c.End - c.Start).TotalMinutes)),
            settings.TimeZone.Id, agenda, settings.InviteAttendees ? c.Attendees : [], recurrence);
    }
}

/// <summary>Z5-Z6: what should exist against what is linked -> the operations, in the order to run them.</summary>
public static class SyncPlanner
{
    /// <param name="qualifies">Whether an entry still exists and still wants meetings (location, owner) regardless of the window.</param>
    public static IReadOnlyList<SyncOperation> Plan(IReadOnlyList<DesiredMeeting> desired, IReadOnlyList<MeetingLink> links,
        Func<string, bool> qualifies, SyncWindow window, OnEntryRemoved onEntryRemoved)
    {
        var linked = links.ToDictionary(l => l.Key, StringComparer.Ordinal);
        var wantedKeys = desired.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var entriesWithMeetings = desired.Select(d => d.EntryId).ToHashSet(StringComparer.Ordinal);
        var operations = new List<SyncOperation>();

        foreach (var link in links.Where(l => !wantedKeys.Contains(l.Key)))
        {
            if (entriesWithMeetings.Contains(link.EntryId))
            {
                // The entry now maps to other meetings (rule changed, occurrence removed): this one would be a duplicate.
                operations.Add(link.State == LinkState.Unlinked ? new ForgetMeeting(link) : new DeleteMeeting(link));
                continue;
            }
            // Z4: outside the window is left alone; but an unfinished create (pending intent) is never left behind.
            if (link.State != LinkState.Pending && qualifies(link.EntryId) && !window.Contains(link.Start)) continue;
            // "keep" keeps meetings people were shown (linked). A pending intent's meeting, if Zoom made it, was never
            // shown on the entry: keeping it would leave an orphan nobody knows of, so it is found by its key and deleted.
            if (link.State == LinkState.Unlinked || onEntryRemoved == OnEntryRemoved.Keep && link.State == LinkState.Linked)
                operations.Add(new ForgetMeeting(link));
            else
                operations.Add(new DeleteMeeting(link));
        }

        foreach (var meeting in desired)
        {
            if (!linked.TryGetValue(meeting.Key, out var link)) { operations.Add(new CreateMeeting(meeting, null)); continue; }
            switch (link.State)
            {
                case LinkState.Pending:
                    operations.Add(new CreateMeeting(meeting, link));
                    break;
                case LinkState.Unlinked:
                    // Deleted in Zoom (Z8): made again only when the entry changes.
                    if (link.Fingerprint != meeting.Fingerprint) operations.Add(new CreateMeeting(meeting, link));
                    break;
                case LinkState.Linked when link.Host != meeting.Host || link.Type != meeting.Type:
                    operations.Add(new DeleteMeeting(link));
                    operations.Add(new CreateMeeting(meeting, null));
                    break;
                case LinkState.Linked when link.Fingerprint != meeting.Fingerprint:
                    // The executor applies the exceptions again after the series changed.
                    operations.Add(new UpdateMeeting(meeting, link));
                    break;
                case LinkState.Linked:
                    if (OccurrenceChanges(meeting, link, window) is { } changes) operations.AddRange(changes);
                    else
                    {
                        // A deleted occurrence is wanted again: Zoom cannot undelete one, so the series is made anew.
                        operations.Add(new DeleteMeeting(link));
                        operations.Add(new CreateMeeting(meeting, null));
                    }
                    break;
            }
        }
        return operations;
    }

    /// <summary>
    /// Z3 exceptions of a linked recurring meeting: what should be deleted or moved against what the link says is in
    /// Zoom, from the window's start on; null when an occurrence deleted in Zoom should come back.
    /// </summary>
    public static List<ChangeOccurrence>? OccurrenceChanges(DesiredMeeting meeting, MeetingLink link, SyncWindow window)
    {
        var applied = (link.Applied ?? new Dictionary<string, string>())
            .Where(a => OccurrenceChange.TimeOf(a.Key) >= window.From).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var wanted = meeting.OccurrenceChanges.ToDictionary(x => x.OccurrenceId, StringComparer.Ordinal);
        if (applied.Any(a => a.Value == "deleted" && !(wanted.TryGetValue(a.Key, out var w) && w.Start is null))) return null;
        var changes = new List<ChangeOccurrence>();
        foreach (var x in meeting.OccurrenceChanges)
            if (!applied.TryGetValue(x.OccurrenceId, out var spec) || spec != x.Spec) changes.Add(new ChangeOccurrence(meeting, link, x));
        foreach (var (id, _) in applied.Where(a => !wanted.ContainsKey(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal))
            changes.Add(new ChangeOccurrence(meeting, link,
                new OccurrenceChange(id, TimeZoneInfo.ConvertTime(OccurrenceChange.TimeOf(id), Zone(meeting)), meeting.DurationMinutes, Restore: true)));
        return changes;
    }

    static TimeZoneInfo Zone(DesiredMeeting meeting) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(meeting.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
