using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace Zawaroom.Schedules;

/// <summary>An occurrence; <see cref="RecurrenceId"/> is where the rule puts it (its start, unless it was moved).</summary>
public sealed record Occurrence(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset? MovedFrom = null)
{
    public DateTimeOffset RecurrenceId => MovedFrom ?? Start;
}

/// <summary>
/// Expands an entry's RRULE into occurrences. Rules are evaluated on the entry's wall clock (its
/// offset), so "every Monday 10:00" stays Monday 10:00 where the entry was written.
/// </summary>
public static class Occurrences
{
    /// <summary>Null when the rule text is valid RRULE, else why not.</summary>
    public static string? Check(string? rrule)
    {
        if (string.IsNullOrWhiteSpace(rrule)) return null;
        try
        {
            var pattern = new RecurrencePattern(StripPrefix(rrule));
            return Rrule.Parse(rrule).ContainsKey("FREQ") ? null : "A recurrence needs FREQ.";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return $"The recurrence '{rrule}' is not an RFC 5545 RRULE.";
        }
    }

    /// <summary>
    /// Occurrences overlapping [from, to), excluding EXDATEs, with moved occurrences at their new times
    /// (a moved occurrence counts where it now is); at most <paramref name="limit"/>, in start order.
    /// </summary>
    public static IReadOnlyList<Occurrence> Between(EntryContent entry, DateTimeOffset from, DateTimeOffset to, int limit = 1000)
    {
        if (string.IsNullOrWhiteSpace(entry.Recurrence))
            return entry.Start < to && entry.End > from ? [new Occurrence(entry.Start, entry.End)] : [];
        var moved = entry.Moved ?? [];
        if (moved.Count == 0) return ByRule(entry, from, to, limit);
        var movedFrom = moved.Select(m => m.Occurrence.UtcDateTime).ToHashSet();
        return ByRule(entry, from, to, limit + moved.Count)
            .Where(o => !movedFrom.Contains(o.Start.UtcDateTime))
            .Concat(moved.Where(m => m.Start < to && m.End > from && !entry.ExDates.Contains(m.Occurrence))
                .Select(m => new Occurrence(m.Start, m.End, m.Occurrence)))
            .OrderBy(o => o.Start).Take(limit).ToList();
    }

    /// <summary>Whether the rule (less its EXDATEs) has an occurrence starting exactly at <paramref name="start"/>.</summary>
    public static bool IsOccurrence(EntryContent entry, DateTimeOffset start) =>
        !string.IsNullOrWhiteSpace(entry.Recurrence)
        && ByRule(entry, start, start.AddTicks(1), 1).Any(o => o.Start == start);

    static List<Occurrence> ByRule(EntryContent entry, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        var duration = entry.End - entry.Start;

        var offset = entry.Start.Offset;
        var calendarEvent = new CalendarEvent
        {
            DtStart = new CalDateTime(DateTime.SpecifyKind(entry.Start.DateTime, DateTimeKind.Unspecified), hasTime: true),
            Duration = null,
        };
        calendarEvent.RecurrenceRules.Add(new RecurrencePattern(StripPrefix(entry.Recurrence)));
        var excluded = entry.ExDates.Select(d => d.UtcDateTime).ToHashSet();
        var result = new List<Occurrence>();
        // Evaluation starts early enough to catch an occurrence that began before `from` and is still running.
        var evaluateFrom = new CalDateTime(DateTime.SpecifyKind(from.ToOffset(offset).DateTime - duration, DateTimeKind.Unspecified), hasTime: true);
        foreach (var o in calendarEvent.GetOccurrences(evaluateFrom))
        {
            var start = new DateTimeOffset(DateTime.SpecifyKind(o.Period.StartTime.Value, DateTimeKind.Unspecified), offset);
            if (start >= to || result.Count >= limit) break;
            if (excluded.Contains(start.UtcDateTime)) continue;
            var end = start + duration;
            if (end > from) result.Add(new Occurrence(start, end));
        }
        return result;
    }

    static string StripPrefix(string rrule) =>
        rrule.Trim().StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase) ? rrule.Trim()[6..] : rrule.Trim();
}

/// <summary>An RRULE as its parts, upper-cased: "FREQ=WEEKLY;BYDAY=MO" -> {FREQ: WEEKLY, BYDAY: MO}.</summary>
public static class Rrule
{
    public static IReadOnlyDictionary<string, string> Parse(string rrule)
    {
        var text = rrule.Trim();
        if (text.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase)) text = text[6..];
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"'{part}' is not NAME=VALUE.");
            parts[part[..eq].ToUpperInvariant()] = part[(eq + 1)..].ToUpperInvariant();
        }
        return parts;
    }
}
