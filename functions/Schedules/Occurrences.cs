using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace Zawaroom.Schedules;

public sealed record Occurrence(DateTimeOffset Start, DateTimeOffset End);

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

    /// <summary>Occurrences overlapping [from, to), excluding EXDATEs; at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<Occurrence> Between(EntryContent entry, DateTimeOffset from, DateTimeOffset to, int limit = 1000)
    {
        var duration = entry.End - entry.Start;
        if (string.IsNullOrWhiteSpace(entry.Recurrence))
            return entry.Start < to && entry.End > from ? [new Occurrence(entry.Start, entry.End)] : [];

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
