using System.Globalization;
using Zawaroom.Schedules;

namespace Zawaroom.ZoomSync;

/// <summary>
/// A Zoom recurrence object (meeting type 8). Field names follow Zoom's API: type 1 daily, 2 weekly,
/// 3 monthly; weekly_days "1,2" with 1 = Sunday; monthly_week -1 or 1-4 with monthly_week_day.
/// </summary>
public sealed record ZoomRecurrence(
    int Type, int RepeatInterval, string? WeeklyDays = null, int? MonthlyDay = null,
    int? MonthlyWeek = null, int? MonthlyWeekDay = null, int? EndTimes = null, DateTimeOffset? EndDateTime = null);

public static class ZoomRecurrences
{
    static readonly string[] Known = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"];
    static readonly string[] Days = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

    /// <summary>
    /// Z3: the Zoom form of an entry's rule, or null when Zoom cannot express it (then the sync makes one
    /// meeting per occurrence inside the window). Exceptions (EXDATE, moved occurrences) do not change the
    /// rule: the sync deletes or moves those occurrences of the one recurring meeting (occurrence_id).
    /// </summary>
    public static ZoomRecurrence? From(EntryContent entry)
    {
        if (entry.Recurrence is null) return null;
        IReadOnlyDictionary<string, string> rule;
        try { rule = Rrule.Parse(entry.Recurrence); }
        catch (FormatException) { return null; }
        if (rule.Keys.Any(k => !Known.Contains(k))) return null;
        var interval = rule.TryGetValue("INTERVAL", out var i) && int.TryParse(i, out var n) ? n : 1;
        int? endTimes = null;
        DateTimeOffset? until = null;
        if (rule.TryGetValue("COUNT", out var count))
        {
            if (!int.TryParse(count, out var times) || times is < 1 or > 60) return null;
            endTimes = times;
        }
        else if (rule.TryGetValue("UNTIL", out var untilText))
        {
            if (!TryUntil(untilText, entry.Start.Offset, out var u)) return null;
            until = u;
        }
        else return null; // Zoom has no never-ending scheduled recurrence.

        switch (rule["FREQ"])
        {
            case "DAILY" when interval is >= 1 and <= 99 && !rule.ContainsKey("BYDAY") && !rule.ContainsKey("BYMONTHDAY"):
                return new ZoomRecurrence(1, interval, EndTimes: endTimes, EndDateTime: until);
            case "WEEKLY" when interval is >= 1 and <= 50 && !rule.ContainsKey("BYMONTHDAY"):
                var days = rule.TryGetValue("BYDAY", out var byDay) ? byDay.Split(',') : [Days[(int)entry.Start.DayOfWeek]];
                if (days.Any(d => !Days.Contains(d))) return null;
                var numbers = days.Select(d => Array.IndexOf(Days, d) + 1).Distinct().Order();
                return new ZoomRecurrence(2, interval, WeeklyDays: string.Join(',', numbers), EndTimes: endTimes, EndDateTime: until);
            case "MONTHLY" when interval is >= 1 and <= 10:
                if (rule.TryGetValue("BYMONTHDAY", out var monthDay))
                    return int.TryParse(monthDay, out var md) && md is >= 1 and <= 31 && !rule.ContainsKey("BYDAY")
                        ? new ZoomRecurrence(3, interval, MonthlyDay: md, EndTimes: endTimes, EndDateTime: until) : null;
                if (rule.TryGetValue("BYDAY", out var monthly))
                {
                    if (monthly.Contains(',') || monthly.Length < 3) return null;
                    var day = Array.IndexOf(Days, monthly[^2..]);
                    if (day < 0 || !int.TryParse(monthly[..^2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var week)
                        || week is not (-1 or 1 or 2 or 3 or 4)) return null;
                    return new ZoomRecurrence(3, interval, MonthlyWeek: week, MonthlyWeekDay: day + 1, EndTimes: endTimes, EndDateTime: until);
                }
                return new ZoomRecurrence(3, interval, MonthlyDay: entry.Start.Day, EndTimes: endTimes, EndDateTime: until);
            default:
                return null;
        }
    }

    static bool TryUntil(string text, TimeSpan offset, out DateTimeOffset until)
    {
        until = default;
        if (DateTime.TryParseExact(text, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        { until = new DateTimeOffset(utc, TimeSpan.Zero); return true; }
        if (DateTime.TryParseExact(text, "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        { until = new DateTimeOffset(local, offset); return true; }
        if (DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        { until = new DateTimeOffset(date.AddDays(1).AddSeconds(-1), offset); return true; }
        return false;
    }
}
