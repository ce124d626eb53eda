using Zawaroom.Common;

namespace Zawaroom.Logs.Export;

public enum ExportState { Queued, Running, Done, Failed }

/// <summary>
/// One CSV export (G2), kept as a document in the site's partition so its state outlives the
/// process: queued when asked for, running while the worker writes it, then done (the CSV is the
/// blob <see cref="LogExports.BlobName"/>) or failed. <see cref="RoomId"/> is set for a room's export,
/// <see cref="SpaceId"/> for a site admin's export of one space.
/// </summary>
public sealed record LogExport
{
    public required string Id { get; init; }
    public required string StartedBy { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public string? SpaceId { get; init; }
    public string? RoomId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public ExportState State { get; init; } = ExportState.Queued;
    public long Rows { get; init; }
    public double Progress { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>A platform-wide note that an export is not finished yet, so a restarted worker finds it without scanning every site.</summary>
public sealed record PendingExport(string SiteId, string ExportId);

/// <summary>The pure rules of an export request.</summary>
public static class ExportRules
{
    /// <summary>The longest period one export covers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public static (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to)
    {
        if (!TryTime(from, out var start) || !TryTime(to, out var end))
            throw Problems.Validation("from and to are ISO 8601 times with an offset, such as 2026-12-01T00:00:00+09:00.");
        if (end <= start) throw Problems.Validation("to must be after from.");
        if (end - start > MaxRange) throw Problems.Validation("An export covers at most one year (366 days).");
        return (start, end);
    }

    static bool TryTime(string? text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out at);

    /// <summary>Progress by time: how far into [from, to) the last event read lies, below 1 until the export is done.</summary>
    public static double Progress(DateTimeOffset from, DateTimeOffset to, DateTimeOffset reached)
    {
        var fraction = (reached - from) / (to - from);
        return Math.Round(Math.Clamp(fraction, 0, 0.99), 4);
    }

    /// <summary>Which events go into the export: the room's, the space's, or the site's.</summary>
    public static Func<UsageEvent, bool> Filter(LogExport export) => export switch
    {
        { RoomId: { } room } => e => e.RoomId == room,
        { SpaceId: { } space } => e => e.SpaceId == space,
        _ => _ => true,
    };

    public static string FileName(LogExport export) =>
        $"zawaroom-log-{export.From.ToOffset(TimeSpan.FromHours(9)):yyyyMMdd}-{export.To.ToOffset(TimeSpan.FromHours(9)):yyyyMMdd}.csv";
}
