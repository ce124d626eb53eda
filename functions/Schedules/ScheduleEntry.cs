using System.Security.Cryptography;
using System.Text;

namespace Zawaroom.Schedules;

/// <summary>Where an entry stands with Zoom (Z9); written by the Zoom sync, shown on the entry.</summary>
public sealed record ZoomLinkState(string State, string? JoinUrl = null, long? MeetingId = null, string? Error = null)
{
    public static readonly ZoomLinkState None = new("none");
}

/// <summary>
/// What a person writes in an entry (Z3): the part an import compares to decide
/// "unchanged" and the part the Zoom sync turns into a meeting.
/// </summary>
public sealed record EntryContent(
    string Title,
    DateTimeOffset Start,
    DateTimeOffset End,
    bool AllDay,
    string Location,
    string Description,
    IReadOnlyList<string> Attendees,
    string? Recurrence,
    IReadOnlyList<DateTimeOffset> ExDates,
    IReadOnlyList<MovedOccurrence>? Moved = null)
{
    public bool SameAs(EntryContent other) =>
        Title == other.Title && Start == other.Start && Start.Offset == other.Start.Offset && End == other.End
        && AllDay == other.AllDay && Location == other.Location && Description == other.Description
        && Attendees.SequenceEqual(other.Attendees) && Recurrence == other.Recurrence && ExDates.SequenceEqual(other.ExDates)
        && (Moved ?? []).SequenceEqual(other.Moved ?? []);
}

/// <summary>
/// One occurrence of a recurring entry moved to another time (iCalendar RECURRENCE-ID override):
/// <see cref="Occurrence"/> is where the rule puts it, <see cref="Start"/>/<see cref="End"/> where it now is.
/// </summary>
public sealed record MovedOccurrence(DateTimeOffset Occurrence, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// A member's schedule entry (Z3). Stored per site under kind "schedule"; the id is derived from
/// the owner and the UID, so the same UID imported twice lands on the same document.
/// </summary>
public sealed record ScheduleEntry
{
    public required string Id { get; init; }
    public required string Owner { get; init; }
    public required string Uid { get; init; }
    public required EntryContent Content { get; init; }
    /// <summary>Grows by one each time the content changes.</summary>
    public int Revision { get; init; } = 1;
    public DateTimeOffset UpdatedAt { get; init; }
    public ZoomLinkState Zoom { get; init; } = ZoomLinkState.None;

    public static string IdFor(string owner, string uid)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(owner + "\n" + uid));
        return "e" + Convert.ToHexStringLower(hash)[..24];
    }
}
