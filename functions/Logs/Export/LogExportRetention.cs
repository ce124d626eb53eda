using Microsoft.Extensions.Options;
using Zawaroom.Blobs;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.Logs.Export;

public sealed class LogExportRetentionOptions
{
    public const string Section = "Zawaroom:Logs";
    /// <summary>How long a finished export (done or failed) and its CSV are kept after it finished.</summary>
    public TimeSpan ExportRetention { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Whether this process sweeps on its own schedule (the one-process mode); on Azure the SyncWorker's timer does.</summary>
    public bool RetentionTimer { get; set; } = true;
}

/// <summary>G2: finished exports older than Zawaroom:Logs:ExportRetention go, their CSV first (a document without its CSV is never left to download).</summary>
public sealed class LogExportRetention(IDocumentStore store, IBlobStore blobs, SiteDirectory sites, IOptions<LogExportRetentionOptions> options,
    TimeProvider clock, ILogger<LogExportRetention> logger)
{
    /// <summary>Deletes what is past retention in every site; answers how many exports went.</summary>
    public async Task<int> Sweep(CancellationToken ct)
    {
        var before = clock.GetUtcNow() - options.Value.ExportRetention;
        var siteIds = new List<string>();
        await foreach (var site in sites.All(ct)) siteIds.Add(site.Value.Id);
        var deleted = 0;
        foreach (var siteId in siteIds)
        {
            var expired = new List<LogExport>();
            await foreach (var e in store.List<LogExport>(siteId, LogExports.Kind, ct))
                if (e.Value.State is ExportState.Done or ExportState.Failed && (e.Value.FinishedAt ?? e.Value.CreatedAt) < before) expired.Add(e.Value);
            foreach (var export in expired)
            {
                await blobs.Delete(LogExports.BlobName(siteId, export.Id), ct);
                await store.Delete(siteId, LogExports.Kind, export.Id, null, ct);
                deleted++;
            }
        }
        if (deleted > 0) logger.LogInformation("Log export retention: {Count} finished exports older than {Retention} deleted", deleted, options.Value.ExportRetention);
        return deleted;
    }
}

/// <summary>The one-process mode's schedule for <see cref="LogExportRetention"/>: hourly, as the SyncWorker's timer on Azure.</summary>
public sealed class LogExportRetentionTimer(LogExportRetention retention, IOptions<LogExportRetentionOptions> options, ILogger<LogExportRetentionTimer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RetentionTimer) return;
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await retention.Sweep(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Log export retention failed"); }
        }
    }
}
