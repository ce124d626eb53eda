using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;

namespace Zawaroom.Schedules;

/// <summary>An occurrence; <see cref="RecurrenceId"/> is where the rule puts it (its start, unless it was moved).</summary>
public sealed record Occurrence(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset? MovedFrom = null)
{
    public DateTimeOffset RecurrenceId => MovedFrom ?? Start;
}

/// <summary>
/// Expands an entry's RRULE into occurrences. Rules are evaluated on the entry's wall clock (its
/// offset), so "every Monday 10:00" stays Monday 10:00 where the entry was written.
/// Every expansion is bounded: a rule that matches rarely or never, a huge COUNT or a series reaching
/// back centuries must never keep a request (or the Zoom sync) busy, whatever is already stored.
/// </summary>
public static class Occurrences
{
    /// <summary>Largest COUNT a rule may have (Zoom itself stops at 60; a calendar seldom needs more).</summary>
    public const int MaxCount = 1000;
    public const int MaxInterval = 999;
    public const int MaxExDates = 500;

    /// <summary>Rule increments that may pass without an occurrence before the rule counts as matching "rarely or never".</summary>
    internal const int MaxUnmatchedIncrements = 1000;
    /// <summary>Occurrences one expansion looks at, from the series' start (a daily series of 100 years is 36,500).</summary>
    internal const int MaxSteps = 50_000;
    /// <summary>Wall time one expansion may take; a stored rule beyond it lists what was found so far.</summary>
    internal static readonly TimeSpan MaxTime = TimeSpan.FromMilliseconds(500);

    static readonly HashSet<string> Frequencies = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
    static readonly HashSet<string> Parts = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS"];

    /// <summary>Null when the rule text is an RRULE this product accepts, else why not (pure text checks, no expansion).</summary>
    public static string? Check(string? rrule)
    {
        if (string.IsNullOrWhiteSpace(rrule)) return null;
        if (rrule.Length > 500) return "A recurrence has at most 500 characters.";
        IReadOnlyDictionary<string, string> parts;
        try
        {
            parts = Rrule.Parse(rrule);
            _ = new RecurrencePattern(StripPrefix(rrule));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            return $"The recurrence '{Shorten(rrule)}' is not an RFC 5545 RRULE.";
        }
        if (!parts.TryGetValue("FREQ", out var freq)) return "A recurrence needs FREQ.";
        if (!Frequencies.Contains(freq)) return "A recurrence repeats daily, weekly, monthly or yearly (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).";
        if (parts.Keys.FirstOrDefault(k => !Parts.Contains(k)) is { } unknown) return $"The recurrence part {Shorten(unknown)} is not supported.";
        if (parts.TryGetValue("COUNT", out var count) && !InRange(count, 1, MaxCount)) return $"COUNT is a number from 1 to {MaxCount}.";
        if (parts.TryGetValue("INTERVAL", out var interval) && !InRange(interval, 1, MaxInterval)) return $"INTERVAL is a number from 1 to {MaxInterval}.";
        // RFC 5545 3.3.10: these parts MUST NOT appear with these frequencies.
        if (freq == "WEEKLY" && parts.ContainsKey("BYMONTHDAY")) return "BYMONTHDAY cannot be used with FREQ=WEEKLY.";
        if (freq != "YEARLY" && (parts.ContainsKey("BYYEARDAY") || parts.ContainsKey("BYWEEKNO"))) return "BYYEARDAY and BYWEEKNO need FREQ=YEARLY.";
        if (parts.ContainsKey("COUNT") && parts.ContainsKey("UNTIL")) return "A recurrence has COUNT or UNTIL, not both.";
        return null;
    }

    /// <summary>
    /// Null when the entry's rule, from its start, yields occurrences at a sane rate; else why not. Run on
    /// create, update and import, so a rule that matches rarely or never is never stored.
    /// </summary>
    public static string? CheckExpansion(EntryContent entry)
    {
        if (string.IsNullOrWhiteSpace(entry.Recurrence)) return null;
        if (entry.ExDates.Count > MaxExDates) return $"At most {MaxExDates} exdates.";
        try
        {
            // The start itself always counts (RFC 5545); the rule must also find the next few without a long search.
            var steps = 0;
            foreach (var _ in Evaluate(entry))
                if (++steps >= 4) break;
            return null;
        }
        catch (EvaluationLimitExceededException)
        {
            return $"The recurrence '{Shorten(entry.Recurrence)}' matches rarely or never (for example a day that does not exist in the months it names).";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            return $"The recurrence '{Shorten(entry.Recurrence)}' cannot be expanded from the entry's start.";
        }
    }

    /// <summary>
    /// Occurrences overlapping [from, to), excluding EXDATEs, with moved occurrences at their new times
    /// (a moved occurrence counts where it now is); at most <paramref name="limit"/>, in start order.
    /// </summary>
    public static IReadOnlyList<Occurrence> Between(EntryContent entry, DateTimeOffset from, DateTimeOffset to, int limit = 1000, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(entry.Recurrence))
            return entry.Start < to && entry.End > from ? [new Occurrence(entry.Start, entry.End)] : [];
        var moved = entry.Moved ?? [];
        if (moved.Count == 0) return ByRule(entry, from, to, limit, ct);
        var movedFrom = moved.Select(m => m.Occurrence.UtcDateTime).ToHashSet();
        return ByRule(entry, from, to, limit + moved.Count, ct)
            .Where(o => !movedFrom.Contains(o.Start.UtcDateTime))
            .Concat(moved.Where(m => m.Start < to && m.End > from && !entry.ExDates.Contains(m.Occurrence))
                .Select(m => new Occurrence(m.Start, m.End, m.Occurrence)))
            .OrderBy(o => o.Start).Take(limit).ToList();
    }

    /// <summary>Whether the rule (less its EXDATEs) has an occurrence starting exactly at <paramref name="start"/>.</summary>
    public static bool IsOccurrence(EntryContent entry, DateTimeOffset start) =>
        !string.IsNullOrWhiteSpace(entry.Recurrence)
        && ByRule(entry, start, start.AddTicks(1), 1, default).Any(o => o.Start == start);

    /// <summary>Which of <paramref name="starts"/> the rule (less its EXDATEs) has as occurrences, in one bounded expansion.</summary>
    public static HashSet<DateTimeOffset> OccurrencesAmong(EntryContent entry, IReadOnlyCollection<DateTimeOffset> starts)
    {
        var found = new HashSet<DateTimeOffset>();
        if (string.IsNullOrWhiteSpace(entry.Recurrence) || starts.Count == 0) return found;
        var wanted = starts.Select(s => s.UtcDateTime).ToHashSet();
        foreach (var o in ByRule(entry, starts.Min(), starts.Max().AddTicks(1), int.MaxValue, default))
            if (wanted.Contains(o.Start.UtcDateTime)) found.Add(o.Start);
        return found;
    }

    static List<Occurrence> ByRule(EntryContent entry, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        var duration = entry.End - entry.Start;
        var offset = entry.Start.Offset;
        var excluded = entry.ExDates.Select(d => d.UtcDateTime).ToHashSet();
        var result = new List<Occurrence>();
        // Wall time, not TimeProvider: this bounds CPU spent, whatever the product's clock says.
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var steps = 0;
        try
        {
            // Evaluated from the series' start and filtered here, so every step is counted and can be stopped.
            foreach (var start in Evaluate(entry))
            {
                if (start >= to || result.Count >= limit) break;
                if (++steps > MaxSteps || (steps % 256 == 0 && System.Diagnostics.Stopwatch.GetElapsedTime(began) > MaxTime)) break;
                if (steps % 256 == 0) ct.ThrowIfCancellationRequested();
                if (excluded.Contains(start.UtcDateTime)) continue;
                var end = start + duration;
                if (end > from) result.Add(new Occurrence(start, end));
            }
        }
        // A rule stored before these checks may match rarely or never, or run off the calendar: it lists what was found.
        catch (Exception e) when (e is EvaluationLimitExceededException or ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
        }
        return result;
    }

    /// <summary>Starts of the rule's occurrences from the series' start on, at the entry's offset.</summary>
    static IEnumerable<DateTimeOffset> Evaluate(EntryContent entry)
    {
        var offset = entry.Start.Offset;
        var calendarEvent = new CalendarEvent
        {
            DtStart = new CalDateTime(DateTime.SpecifyKind(entry.Start.DateTime, DateTimeKind.Unspecified), hasTime: true),
            Duration = null,
        };
        calendarEvent.RecurrenceRules.Add(new RecurrencePattern(StripPrefix(entry.Recurrence!)));
        var options = new EvaluationOptions { MaxUnmatchedIncrementsLimit = MaxUnmatchedIncrements };
        foreach (var o in calendarEvent.GetOccurrences(null, options))
            yield return new DateTimeOffset(DateTime.SpecifyKind(o.Period.StartTime.Value, DateTimeKind.Unspecified), offset);
    }

    static bool InRange(string text, int min, int max) =>
        text.Length <= 9 && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max;

    static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

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
