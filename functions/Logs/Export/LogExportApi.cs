using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Logs.Export;

/// <summary>G2: CSV exports of the usage log, run in the background, read back by who started them.</summary>
public static class LogExportApi
{
    public sealed record ExportRequest(string? From, string? To, string? SpaceId);
    public sealed record Started(string Id);
    public sealed record ExportStatus(string Id, string State, long Rows, double Progress, string From, string To, string? SpaceId,
        string? RoomId, string? DownloadUrl, string? Error);

    public static IServiceCollection AddLogExport(this IServiceCollection services)
    {
        services.AddSingleton<LogExports>();
        services.AddHostedService<LogExportWorker>();
        services.AddLogExportRetention();
        services.AddHostedService<LogExportRetentionTimer>();
        return services;
    }

    /// <summary>The retention sweep alone (the SyncWorker runs it on its timer).</summary>
    public static IServiceCollection AddLogExportRetention(this IServiceCollection services)
    {
        services.AddOptions<LogExportRetentionOptions>().BindConfiguration(LogExportRetentionOptions.Section);
        services.AddSingleton<LogExportRetention>();
        return services;
    }

    public static void MapLogExports(this RouteGroupBuilder api)
    {
        api.MapPost("/admin/logs/exports", async (HttpContext http, ExportRequest body, LogExports exports, RoomDirectory rooms, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var (from, to) = ExportRules.Range(body.From, body.To);
            var spaceId = string.IsNullOrWhiteSpace(body.SpaceId) ? null : body.SpaceId;
            if (spaceId is not null) await rooms.Space(caller.SiteId, spaceId, ct); // 404 for an unknown or another site's space
            var export = await exports.Start(caller.SiteId, caller.Email, from, to, spaceId, null, ct);
            return Accepted(http, export);
        }).Allow(Access.SiteAdmin).WithTags("Logs");

        api.MapPost("/rooms/{id}/logs/exports", async (HttpContext http, string id, ExportRequest body, LogExports exports, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var (from, to) = ExportRules.Range(body.From, body.To);
            var export = await exports.Start(caller.SiteId, caller.Email, from, to, null, id, ct);
            return Accepted(http, export);
        }).Allow(Access.RoomAdmin).WithTags("Logs");

        api.MapGet("/logs/exports/{id}", async (HttpContext http, string id, LogExports exports, CancellationToken ct) =>
            Status(http, await exports.Visible(http.Caller(), id, ct))).Allow(Access.Member).WithTags("Logs");

        api.MapGet("/logs/exports/{id}/download", async (HttpContext http, string id, LogExports exports, IBlobStore blobs, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var export = await exports.Visible(caller, id, ct);
            if (export.State != ExportState.Done)
                throw Problems.Of(409, "export-not-ready", "Export not ready", $"The export is {Word(export.State)}; download it when it is done.");
            var blob = await blobs.Open(LogExports.BlobName(caller.SiteId, export.Id), ct)
                ?? throw Problems.NotFound("The export's file is gone.");
            return Results.Stream(blob.Content, "text/csv; charset=utf-8", ExportRules.FileName(export));
        }).Allow(Access.Member).WithTags("Logs");
    }

    static IResult Accepted(HttpContext http, LogExport export) =>
        Results.Accepted($"{http.Request.PathBase}/api/logs/exports/{export.Id}", new Started(export.Id));

    static ExportStatus Status(HttpContext http, LogExport e) => new(e.Id, Word(e.State), e.Rows, e.Progress,
        UsageTime.Utc(e.From), UsageTime.Utc(e.To), e.SpaceId, e.RoomId,
        e.State == ExportState.Done ? $"{http.Request.PathBase}/api/logs/exports/{e.Id}/download" : null, e.Error);

    static string Word(ExportState state) => state.ToString().ToLowerInvariant();
}
