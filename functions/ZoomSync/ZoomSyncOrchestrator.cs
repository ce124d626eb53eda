using Microsoft.Extensions.Options;
using Zawaroom.Sites;

namespace Zawaroom.ZoomSync;

/// <summary>The orchestrator (Z7): every site with Zoom sync on, one after the other, each under its own lease.</summary>
public sealed class ZoomSyncOrchestrator(SiteDirectory sites, SiteSync siteSync, IOptions<ZoomOptions> options, TimeProvider clock,
    ILogger<ZoomSyncOrchestrator> logger)
{
    public async Task RunAll(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var site in sites.All(ct)) ids.Add(site.Value.Id);
        foreach (var id in ids)
        {
            try
            {
                var result = await RunSite(id, ct);
                if (result.Outcome == "done")
                    logger.LogInformation("Zoom sync of site {Site}: {Created} created, {Updated} updated, {Deleted} deleted, {Failed} failed, {Deferred} deferred",
                        id, result.Created, result.Updated, result.Deleted, result.Failed, result.Deferred);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Zoom sync of site {Site} failed", id);
            }
        }
    }

    public Task<SiteRunResult> RunSite(string siteId, CancellationToken ct) =>
        siteSync.Run(siteId, clock.GetUtcNow() + options.Value.SyncInterval, ct);
}

/// <summary>The embedded timer: every Zawaroom:Zoom:SyncInterval (default 5 minutes). On Azure the Functions timer calls /ZoomSyncTimer.</summary>
public sealed class ZoomSyncTimer(ZoomSyncOrchestrator orchestrator, IOptions<ZoomOptions> options, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Zawaroom:Zoom:Timer", true)) return;
        using var timer = new PeriodicTimer(options.Value.SyncInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await orchestrator.RunAll(stoppingToken);
    }
}
