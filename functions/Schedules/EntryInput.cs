using System.Globalization;
using Zawaroom.Common;
using Zawaroom.Members;

namespace Zawaroom.Schedules;

/// <summary>An entry as the API and the CSV import receive it: times as text, checked here.</summary>
public sealed record EntryInput(
    string? Title, string? Start, string? End, bool? AllDay, string? Location, string? Description,
    IReadOnlyList<string>? Attendees, string? Recurrence, IReadOnlyList<string>? Exdates, IReadOnlyList<MovedInput>? Moved = null);

/// <summary>A moved occurrence as the API receives it: which occurrence (its start by the rule) and its new start and end.</summary>
public sealed record MovedInput(string? Occurrence, string? Start, string? End);

public static class EntryRules
{
    /// <summary>Turns input into content, or throws a 400 naming what is wrong.</summary>
    public static EntryContent ToContent(EntryInput input, TimeZoneInfo zone) =>
        TryContent(input, zone, out var content, out var error) ? content! : throw Problems.Validation(error!);

    public static bool TryContent(EntryInput input, TimeZoneInfo zone, out EntryContent? content, out string? error)
    {
        content = null;
        error = Check(input, zone, out var start, out var end, out var exdates);
        if (error is not null) return false;
        var parsed = new EntryContent(
            input.Title!.Trim(), start, end, input.AllDay == true, (input.Location ?? "").Trim(), input.Description ?? "",
            (input.Attendees ?? []).Select(Emails.Normalize).Distinct().Order(StringComparer.Ordinal).ToList(),
            string.IsNullOrWhiteSpace(input.Recurrence) ? null : input.Recurrence.Trim().ToUpperInvariant(),
            exdates.Order().ToList());
        var moved = new List<MovedOccurrence>();
        error = Occurrences.CheckExpansion(parsed) ?? CheckMoved(input, parsed, zone, out moved);
        if (error is not null) return false;
        content = moved.Count == 0 ? parsed : parsed with { Moved = moved.OrderBy(m => m.Occurrence).ToList() };
        return true;
    }

    public const int MaxMoved = 500;
    /// <summary>Years an entry may lie in: beyond them date arithmetic overflows and a series' expansion has too far to run.</summary>
    public const int MinYear = 1970, MaxYear = 2999;

    /// <summary>Each moved occurrence names an occurrence of the rule (not an EXDATE), once, and a valid new time.</summary>
    static string? CheckMoved(EntryInput input, EntryContent content, TimeZoneInfo zone, out List<MovedOccurrence> moved)
    {
        moved = [];
        if (input.Moved is not { Count: > 0 }) return null;
        if (content.Recurrence is null) return "moved occurrences need a recurrence.";
        if (content.AllDay) return "Occurrences of all-day entries cannot be moved; use exdates.";
        if (input.Moved.Count > MaxMoved) return $"At most {MaxMoved} moved occurrences.";
        var seen = new HashSet<DateTimeOffset>();
        var checkedMoves = new List<(MovedInput Input, DateTimeOffset Occurrence, DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var m in input.Moved)
        {
            if (m is null || !TryTime(m.Occurrence, false, zone, out var occurrence)) return $"moved occurrence '{m?.Occurrence}' is not a time with an offset.";
            if (!TryTime(m.Start, false, zone, out var start) || !TryTime(m.End, false, zone, out var end))
                return $"The moved occurrence {m.Occurrence} needs start and end times with an offset.";
            if (end <= start) return $"The moved occurrence {m.Occurrence} ends before it starts.";
            if (end - start > TimeSpan.FromDays(31)) return "An occurrence lasts at most 31 days.";
            if (!seen.Add(occurrence)) return $"The occurrence {m.Occurrence} is moved twice.";
            checkedMoves.Add((m, occurrence, start, end));
        }
        // One expansion for all of them: one per moved occurrence would multiply the work by their number.
        var real = Occurrences.OccurrencesAmong(content, seen);
        foreach (var (m, occurrence, start, end) in checkedMoves)
        {
            if (!real.Contains(occurrence)) return $"{m.Occurrence} is not an occurrence of the recurrence.";
            moved.Add(new MovedOccurrence(occurrence.ToOffset(content.Start.Offset), start, end));
        }
        return null;
    }

    static string? Check(EntryInput input, TimeZoneInfo zone, out DateTimeOffset start, out DateTimeOffset end, out List<DateTimeOffset> exdates)
    {
        start = end = default;
        exdates = [];
        if (string.IsNullOrWhiteSpace(input.Title)) return "title is required.";
        if (input.Title.Trim().Length > 200) return "title has at most 200 characters.";
        if ((input.Location ?? "").Length > 200) return "location has at most 200 characters.";
        if ((input.Description ?? "").Length > 10_000) return "description has at most 10000 characters.";
        var allDay = input.AllDay == true;
        if (!TryTime(input.Start, allDay, zone, out start)) return allDay ? "start is a date (2026-12-01)." : "start is an ISO 8601 time with an offset (2026-12-01T10:00:00+09:00).";
        if (start.Year is < MinYear or > MaxYear) return $"An entry lies between the years {MinYear} and {MaxYear}.";
        if (string.IsNullOrWhiteSpace(input.End) && allDay) end = At(DateOnly.FromDateTime(start.DateTime).AddDays(1), zone);
        else if (!TryTime(input.End, allDay, zone, out end)) return allDay ? "end is a date (2026-12-02)." : "end is an ISO 8601 time with an offset.";
        // A one-day all-day entry may give the same date as start and end (inclusive, as people write it).
        if (allDay && end == start) end = At(DateOnly.FromDateTime(start.DateTime).AddDays(1), zone);
        if (end.Year > MaxYear) return $"An entry lies between the years {MinYear} and {MaxYear}.";
        if (end <= start) return "end is after start.";
        if (end - start > TimeSpan.FromDays(31)) return "An entry lasts at most 31 days.";
        if ((input.Attendees?.Count ?? 0) > 300) return "At most 300 attendees.";
        foreach (var a in input.Attendees ?? [])
            if (!Emails.IsValid(a?.Trim())) return $"attendee '{a}' is not an e-mail address.";
        if (Occurrences.Check(input.Recurrence) is { } bad) return bad;
        if ((input.Exdates?.Count ?? 0) > Occurrences.MaxExDates) return $"At most {Occurrences.MaxExDates} exdates.";
        foreach (var x in input.Exdates ?? [])
        {
            if (!TryTime(x, allDay, zone, out var d)) return $"exdate '{x}' is not a time with an offset.";
            exdates.Add(d);
        }
        if (exdates.Count > 0 && string.IsNullOrWhiteSpace(input.Recurrence)) return "exdates need a recurrence.";
        return null;
    }

    static bool TryTime(string? text, bool allDay, TimeZoneInfo zone, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (allDay)
        {
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) { value = At(date, zone); return true; }
            return false;
        }
        // An offset is required: a time without one would silently mean different instants on different servers.
        return text.Length > 19 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public static DateTimeOffset At(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public static DateTimeOffset InZone(DateTime utcOrLocal, string? tzId, TimeZoneInfo siteZone)
    {
        var zone = siteZone;
        if (!string.IsNullOrEmpty(tzId) && !TimeZoneInfo.TryFindSystemTimeZoneById(tzId, out zone)) zone = siteZone;
        var local = DateTime.SpecifyKind(utcOrLocal, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone!.GetUtcOffset(local));
    }

    public static string Format(DateTimeOffset time, bool allDay) =>
        allDay ? time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
