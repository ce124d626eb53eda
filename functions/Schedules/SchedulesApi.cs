using System.Text;
using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Sites;

namespace Zawaroom.Schedules;

/// <summary>Z3: each member's own schedule entries and the iCalendar / CSV import.</summary>
public static class SchedulesApi
{
    public sealed record EntryView(
        string Id, string Uid, string Title, string Start, string End, bool AllDay, string Location, string Description,
        IReadOnlyList<string> Attendees, string? Recurrence, IReadOnlyList<string>? Exdates, ZoomLinkState Zoom,
        string? SeriesStart = null, IReadOnlyList<MovedView>? Moved = null, string? Occurrence = null);

    /// <summary>A moved occurrence: which one (its start by the rule) and where it now is.</summary>
    public sealed record MovedView(string Occurrence, string Start, string End);

    public sealed record ImportReport(int Created, int Updated, int Unchanged, IReadOnlyList<ImportRejection> Rejected);

    const int MaxImportBytes = 10 * 1024 * 1024;

    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<ScheduleBook>();
        // ISiteTimeZone: the Zoom settings' time zone (ZoomSync), bound once there.
        services.AddOptions<FeedOptions>().BindConfiguration(FeedOptions.Section);
        services.AddSingleton<FeedFetcher>();
        services.AddHttpClient(FeedFetcher.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(sp => FeedFetcher.Handler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<FeedOptions>>().Value));
        return services;
    }

    public static void MapSchedules(this RouteGroupBuilder api)
    {
        var schedules = api.MapGroup("/schedules").WithTags("Schedules");
        schedules.MapGet("", List).Allow(Access.Member);
        schedules.MapPost("", async (HttpContext http, EntryInput body, ScheduleBook book, ISiteTimeZone zones, CancellationToken ct) =>
        {
            var site = http.RequireSite().SiteId;
            var entry = await book.Create(site, http.Caller().Email, EntryRules.ToContent(body, await zones.Of(site, ct)), ct);
            return Results.Created($"{http.Request.PathBase}/api/schedules/{entry.Id}", View(entry));
        }).Allow(Access.Member);
        schedules.MapPut("/{id}", async (HttpContext http, string id, EntryInput body, ScheduleBook book, ISiteTimeZone zones, CancellationToken ct) =>
        {
            var site = http.RequireSite().SiteId;
            return View(await book.Replace(site, http.Caller().Email, id, EntryRules.ToContent(body, await zones.Of(site, ct)), ct));
        }).Allow(Access.Member);
        schedules.MapDelete("/{id}", async (HttpContext http, string id, ScheduleBook book, CancellationToken ct) =>
        {
            await book.Delete(http.RequireSite().SiteId, http.Caller().Email, id, ct);
            return Results.NoContent();
        }).Allow(Access.Member);
        schedules.MapPost("/import", Import).Allow(Access.Member).DisableAntiforgery().WithBodyLimit(MaxImportBytes);
    }

    static async Task<List<EntryView>> List(HttpContext http, string? from, string? to, ScheduleBook book, CancellationToken ct)
    {
        if (!DateTimeOffset.TryParse(from, out var start) || !DateTimeOffset.TryParse(to, out var end))
            throw Problems.Validation("from and to are ISO 8601 times with an offset.");
        if (end <= start || end - start > TimeSpan.FromDays(400)) throw Problems.Validation("to is after from, at most 400 days later.");
        var views = new List<EntryView>();
        foreach (var entry in await book.OwnedBy(http.RequireSite().SiteId, http.Caller().Email, ct))
        {
            var view = View(entry);
            var recurring = entry.Content.Recurrence is not null;
            foreach (var o in Occurrences.Between(entry.Content, start, end, ct: ct))
                views.Add(recurring
                    ? view with
                    {
                        Start = EntryRules.Format(o.Start, entry.Content.AllDay), End = EntryRules.Format(o.End, entry.Content.AllDay), SeriesStart = view.Start,
                        Occurrence = EntryRules.Format(o.RecurrenceId, entry.Content.AllDay),
                    }
                    : view);
        }
        return views.OrderBy(v => DateTimeOffset.Parse(v.Start)).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    static async Task<ImportReport> Import(HttpContext http, ScheduleBook book, ISiteTimeZone zones, FeedFetcher feeds, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        var zone = await zones.Of(site, ct);
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var text = await ReadLimited(http.Request.Body, ct);
        ParsedImport parsed = mediaType switch
        {
            "text/calendar" => ScheduleImport.FromICalendar(text, zone),
            "text/csv" => ScheduleImport.FromCsv(text, zone),
            "application/json" => ScheduleImport.FromICalendar(await feeds.Fetch(FeedUrl(text), ct), zone),
            _ => throw Problems.Of(415, "unsupported-media-type", "Unsupported media type",
                "Send text/calendar, text/csv, or application/json { \"feedUrl\": \"https://…\" }."),
        };
        int created = 0, updated = 0, unchanged = 0;
        var owner = http.Caller().Email;
        foreach (var item in parsed.Items)
        {
            switch (await book.Upsert(site, owner, item.Uid, item.Content, ct))
            {
                case UpsertResult.Created: created++; break;
                case UpsertResult.Updated: updated++; break;
                default: unchanged++; break;
            }
        }
        return new ImportReport(created, updated, unchanged, parsed.Rejected);
    }

    static string? FeedUrl(string body)
    {
        try { return JsonDocument.Parse(body).RootElement.GetProperty("feedUrl").GetString(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return null; }
    }

    static async Task<string> ReadLimited(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxImportBytes) throw Problems.Of(413, "too-large", "Too large", "An import is at most 10 MB.");
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static EntryView View(ScheduleEntry entry)
    {
        var c = entry.Content;
        return new EntryView(entry.Id, entry.Uid, c.Title, EntryRules.Format(c.Start, c.AllDay), EntryRules.Format(c.End, c.AllDay), c.AllDay,
            c.Location, c.Description, c.Attendees, c.Recurrence,
            c.ExDates.Count == 0 ? null : c.ExDates.Select(d => EntryRules.Format(d, c.AllDay)).ToList(), entry.Zoom,
            Moved: c.Moved is { Count: > 0 } moved
                ? moved.Select(m => new MovedView(EntryRules.Format(m.Occurrence, false), EntryRules.Format(m.Start, false), EntryRules.Format(m.End, false))).ToList()
                : null);
    }
}
