
using CsvHelper;
using Ical.Net;
using Ical.Net.DataTypes;
using Ical.Net.Serialization.DataTypes;

namespace Zawaroom.Schedules;

public sealed record ImportItem(string Uid, EntryContent Content);
public sealed record ImportRejection(int? Line, string? Uid, string Reason);
public sealed record ParsedImport(IReadOnlyList<ImportItem> Items, IReadOnlyList<ImportRejection> Rejected);

/// <summary>Z3 imports: an iCalendar (RFC 5545) file or feed, or a CSV. Parsing only; the book stores.</summary>
public static class ScheduleImport
{
    public const int MaxEntries = 20_000;

    public static ParsedImport FromICalendar(string text, TimeZoneInfo zone)
    {
        Ical.Net.Calendar calendar;
        try
        {
            calendar = Ical.Net.Calendar.Load(text) ?? throw new FormatException("empty");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new([], [new ImportRejection(null, null, "The body is not an iCalendar (RFC 5545) file.")]);
        }
        var items = new List<ImportItem>();
        var rejected = new List<ImportRejection>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Moved or cancelled occurrences (RECURRENCE-ID overrides) belong to the series with their UID.
        var overrides = calendar.Events.Where(ev => ev.RecurrenceId is not null && !string.IsNullOrWhiteSpace(ev.Uid))
            .GroupBy(ev => ev.Uid!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var masters = calendar.Events.Where(ev => ev.RecurrenceId is null && ev.RecurrenceRules.Count > 0 && ev.Uid is not null)
            .Select(ev => ev.Uid!).ToHashSet(StringComparer.Ordinal);
        foreach (var uid in overrides.Keys.Where(u => !masters.Contains(u)))
            rejected.Add(new(null, uid, "A moved occurrence (RECURRENCE-ID) whose recurring event is not in the file."));
        foreach (var ev in calendar.Events)
        {
            if (string.IsNullOrWhiteSpace(ev.Uid)) { rejected.Add(new(null, null, "An event has no UID.")); continue; }
            if (ev.RecurrenceId is not null) continue; // taken with its series below
            if (!seen.Add(ev.Uid)) { rejected.Add(new(null, ev.Uid, "The UID appears twice.")); continue; }
            if (ev.DtStart is null) { rejected.Add(new(null, ev.Uid, "The event has no DTSTART.")); continue; }
            var allDay = !ev.DtStart.HasTime;
            var start = Time(ev.DtStart, zone);
            var endDt = ev.DtEnd ?? ev.End;
            var end = endDt is not null ? Time(endDt, zone) : allDay ? start.AddDays(1) : start;
            var input = new EntryInput(
                Title: string.IsNullOrWhiteSpace(ev.Summary) ? "(no title)" : ev.Summary,
                Start: EntryRules.Format(start, allDay),
                End: EntryRules.Format(end, allDay),
                AllDay: allDay,
                Location: ev.Location,
                Description: ev.Description,
                Attendees: ev.Attendees.Select(a => a.Value?.ToString() ?? "")
                    .Select(v => v.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? v[7..] : v).ToList(),
                Recurrence: ev.RecurrenceRules.Count switch
                {
                    0 => null,
                    1 => new RecurrencePatternSerializer().SerializeToString(ev.RecurrenceRules[0]),
                    _ => "MULTIPLE",
                },
                Exdates: ev.ExceptionDates.GetAllDates().Select(d => EntryRules.Format(Time(d, zone), allDay))
                    .Concat(Cancelled(overrides, ev.Uid, zone, allDay)).ToList(),
                Moved: allDay ? null : Moved(overrides, ev.Uid, zone, end - start));
            if (input.Recurrence == "MULTIPLE") { rejected.Add(new(null, ev.Uid, "More than one RRULE is not supported.")); continue; }
            if (EntryRules.TryContent(input, zone, out var content, out var error)) items.Add(new ImportItem(ev.Uid, content!));
            else rejected.Add(new(null, ev.Uid, error!));
            if (items.Count > MaxEntries) return new(items, [.. rejected, new(null, null, $"Only the first {MaxEntries} entries are imported.")]);
        }
        return new(items, rejected);
    }

    static IEnumerable<string> Cancelled(Dictionary<string, List<Ical.Net.CalendarComponents.CalendarEvent>> overrides, string uid, TimeZoneInfo zone, bool allDay) =>
        overrides.TryGetValue(uid, out var list)
            ? list.Where(o => string.Equals(o.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase)).Select(o => EntryRules.Format(Time(o.RecurrenceId!, zone), allDay))
            : [];

    /// <summary>RECURRENCE-ID overrides that move an occurrence (their own title or location changes are not kept: the series' apply).</summary>
    static List<MovedInput>? Moved(Dictionary<string, List<Ical.Net.CalendarComponents.CalendarEvent>> overrides, string uid, TimeZoneInfo zone, TimeSpan duration)
    {
        if (!overrides.TryGetValue(uid, out var list)) return null;
        var moved = new List<MovedInput>();
        foreach (var o in list.Where(o => !string.Equals(o.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase)))
        {
            var occurrence = Time(o.RecurrenceId!, zone);
            var start = o.DtStart is null ? occurrence : Time(o.DtStart, zone);
            var endDt = o.DtEnd ?? o.End;
            var end = endDt is null ? start + duration : Time(endDt, zone);
            if (start == occurrence && end - start == duration) continue; // overridden in nothing the sync or the calendar shows
            moved.Add(new MovedInput(EntryRules.Format(occurrence, false), EntryRules.Format(start, false), EntryRules.Format(end, false)));
        }
        return moved;
    }

    static DateTimeOffset Time(CalDateTime value, TimeZoneInfo zone)
    {
        if (!value.HasTime) return EntryRules.At(value.Date, zone);
        if (value.IsUtc) return TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(value.Value, DateTimeKind.Utc)), zone);
        return EntryRules.InZone(value.Value, value.TzId, zone);
    }

    /// <summary>
    /// CSV with a header row: uid,title,start,end,allDay,location,description,attendees,recurrence,exdates.
    /// Attendees and exdates are separated by ';' or spaces. Line numbers in rejections are the file's.
    /// </summary>
    public static ParsedImport FromCsv(string text, TimeZoneInfo zone)
    {
        var items = new List<ImportItem>();
        var rejected = new List<ImportRejection>();
        using var reader = CsvReader.FromText(text.TrimStart('\uFEFF'), new CsvReaderOptions
        {
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            NormalizeHeaderName = h => h.Trim().ToLowerInvariant(),
        });
        try { reader.ReadHeader(); }
        catch (Exception e) when (e is CsvFormatException or InvalidOperationException) { return new([], [new(1, null, "The CSV has no header row.")]); }
        var headers = reader.Headers.ToHashSet();
        foreach (var required in new[] { "uid", "title", "start" })
            if (!headers.Contains(required)) return new([], [new(1, null, $"The header has no '{required}' column.")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            string? Field(string name) => reader.TryGetFieldIndex(name, out var i) && i < reader.FieldCount ? reader.GetString(i) : null;
            var uid = Field("uid")?.Trim();
            if (string.IsNullOrEmpty(uid)) { rejected.Add(new(line, null, "uid is empty.")); continue; }
            if (!seen.Add(uid)) { rejected.Add(new(line, uid, "The uid appears twice.")); continue; }
            var allDayText = Field("allday")?.Trim().ToLowerInvariant();
            var input = new EntryInput(
                Field("title"), Field("start"), Field("end"),
                allDayText is "true" or "1" or "yes",
                Field("location"), Field("description"),
                List(Field("attendees")), Field("recurrence"), List(Field("exdates")));
            if (EntryRules.TryContent(input, zone, out var content, out var error)) items.Add(new ImportItem(uid, content!));
            else rejected.Add(new(line, uid, error!));
            if (items.Count > MaxEntries) return new(items, [.. rejected, new(line, null, $"Only the first {MaxEntries} entries are imported.")]);
        }
        return new(items, rejected);
    }

    static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split([';', ' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
