using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Zawaroom.Sites;

namespace Zawaroom.ZoomSync;

/// <summary>The eternal orchestration's input, carried from round to round by ContinueAsNew.</summary>
/// <param name="Interval">Zawaroom:Zoom:SyncInterval: the durable timer between rounds.</param>
/// <param name="RetryDelay">The first wait before an activity is tried again (doubled each attempt, at most a minute).</param>
/// <param name="Attempts">How often one site's run is tried in one round before the round gives up on it.</param>
public sealed record SyncRounds(TimeSpan Interval, TimeSpan RetryDelay, int Attempts, long Round = 0);

/// <summary>One site's run: the sub-orchestration's input, and (with the interval) the activity's.</summary>
public sealed record SiteSyncInput(string SiteId, TimeSpan Interval, TimeSpan RetryDelay, int Attempts);

/// <summary>Zoom asked us to slow down and the HTTP retries did not get through: the run stops, and is tried again after <see cref="RetryAfter"/>.</summary>
public sealed class ZoomRateLimitedException(TimeSpan? retryAfter, string message) : Exception(message)
{
    public const string Marker = "retry-after-ms=";
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A failure crosses the DurableTask boundary as a type name and a message, so the wait travels in the message.</summary>
    public static ZoomRateLimitedException From(ZoomException e) =>
        new(e.RetryAfter, $"{e.Message} ({Marker}{(long?)e.RetryAfter?.TotalMilliseconds ?? -1})");

    public static TimeSpan? RetryAfterIn(TaskFailureDetails failure)
    {
        var at = failure.ErrorMessage.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var digits = new string(failure.ErrorMessage[(at + Marker.Length)..].TakeWhile(c => char.IsDigit(c) || c == '-').ToArray());
        return long.TryParse(digits, out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : null;
    }
}

/// <summary>
/// Z7 as one Durable Task definition, run by the SyncWorker Function App on Azure and by the in-memory
/// DurableTask host in the one-process mode (InProcess/InProcessZoomSync.cs): an eternal orchestration waits on a
/// durable timer, then fans out one sub-orchestration per site with Zoom sync on; each calls the site-run activity
/// (<see cref="SiteSync.Run"/>: plan, then apply under the site's ETag lease) with a retry that waits Zoom's
/// Retry-After. "Sync now" starts the same sub-orchestration under the site's own instance id, so two at once are
/// one run. Orchestrator code does no I/O and reads no clock: the activities do.
/// </summary>
public static class ZoomSyncOrchestration
{
    public const string Rounds = "ZoomSyncRounds";
    public const string Site = "ZoomSiteSync";
    public const string EnabledSitesActivity = "ZoomSyncEnabledSites";
    public const string SiteRunActivity = "ZoomSiteRun";
    public const string RoundsInstanceId = "zoom-sync";
    static readonly TimeSpan MaxRetryWait = TimeSpan.FromMinutes(1);

    /// <summary>The instance id of "sync now" for a site: a second start while one runs joins it instead of working the site again.</summary>
    public static string SiteInstanceId(string siteId) => "zoom-site-" + siteId;

    /// <summary>Starts the eternal orchestration unless it already runs.</summary>
    public static async Task StartRounds(DurableTaskClient client, ZoomOptions options, CancellationToken ct)
    {
        var current = await client.GetInstanceAsync(ZoomSyncOrchestration.RoundsInstanceId, ct);
        if (current is { IsRunning: true } || current?.RuntimeStatus == OrchestrationRuntimeStatus.Pending) return;
        await client.ScheduleNewOrchestrationInstanceAsync(ZoomSyncOrchestration.Rounds,
            new SyncRounds(options.SyncInterval, options.RetryDelay, options.RunAttempts),
            new StartOrchestrationOptions(ZoomSyncOrchestration.RoundsInstanceId), ct);
    }

    /// <summary>Starts the site's run under its instance id; while one runs, a second start is that same run.</summary>
    public static async Task StartSite(DurableTaskClient client, string siteId, ZoomOptions options, CancellationToken ct)
    {
        var id = ZoomSyncOrchestration.SiteInstanceId(siteId);
        var current = await client.GetInstanceAsync(id, ct);
        if (current is { IsRunning: true } || current?.RuntimeStatus == OrchestrationRuntimeStatus.Pending) return;
        if (current is not null) await client.PurgeInstanceAsync(id, cancellation: ct);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(ZoomSyncOrchestration.Site,
                new SiteSyncInput(siteId, options.SyncInterval, options.RetryDelay, options.RunAttempts), new StartOrchestrationOptions(id), ct);
        }
        catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException)
        {
            // Another "sync now" started it between our look and our start: waiting for it is waiting for ours.
        }
    }

    public static async Task<long> RunRounds(TaskOrchestrationContext context, SyncRounds input)
    {
        var log = context.CreateReplaySafeLogger(Rounds);
        var sites = await context.CallActivityAsync<List<string>>(EnabledSitesActivity, null, Retry(input.RetryDelay, input.Attempts));
        var runs = sites.Select(async id =>
        {
            try
            {
                var result = await context.CallSubOrchestratorAsync<SiteRunResult>(Site, new SiteSyncInput(id, input.Interval, input.RetryDelay, input.Attempts));
                log.LogInformation("Zoom sync of site {Site}: {Outcome}, {Created} created, {Updated} updated, {Deleted} deleted, {Failed} failed, {Deferred} deferred",
                    id, result.Outcome, result.Created, result.Updated, result.Deleted, result.Failed, result.Deferred);
            }
            catch (TaskFailedException e)
            {
                // One site's failure never stops the others or the next round.
                log.LogError("Zoom sync of site {Site} failed: {Failure}", id, e.FailureDetails.ErrorMessage);
            }
        }).ToList();
        await Task.WhenAll(runs);
        await context.CreateTimer(input.Interval, CancellationToken.None);
        context.ContinueAsNew(input with { Round = input.Round + 1 }, preserveUnprocessedEvents: false);
        return input.Round;
    }

    public static async Task<SiteRunResult> RunSite(TaskOrchestrationContext context, SiteSyncInput input)
    {
        try
        {
            return await context.CallActivityAsync<SiteRunResult>(SiteRunActivity, input, Retry(input.RetryDelay, input.Attempts));
        }
        catch (TaskFailedException e)
        {
            // Everything done so far is recorded (intent, link, budget); the next round continues from there.
            context.CreateReplaySafeLogger(Site).LogWarning("Zoom sync of site {Site} gave up this round: {Failure}", input.SiteId, e.FailureDetails.ErrorMessage);
            return new SiteRunResult(e.FailureDetails.IsCausedBy<ZoomRateLimitedException>() ? "rate-limited" : "failed");
        }
    }

    /// <summary>
    /// A crashed run (the process died, the store failed) is tried again after a doubling wait; a run Zoom slowed down
    /// is tried again after Zoom's Retry-After. Waits are durable timers. A spent daily budget is no failure: that work
    /// is deferred by the run itself and done by the first round of the next UTC day.
    /// </summary>
    static TaskOptions Retry(TimeSpan firstDelay, int attempts) => TaskOptions.FromRetryHandler(async retry =>
    {
        if (retry.LastAttemptNumber >= attempts) return false;
        var backoff = TimeSpan.FromTicks(Math.Min(MaxRetryWait.Ticks, firstDelay.Ticks * (1L << Math.Min(retry.LastAttemptNumber - 1, 20))));
        var wait = retry.LastFailure.IsCausedBy<ZoomRateLimitedException>() && ZoomRateLimitedException.RetryAfterIn(retry.LastFailure) is { } after
            ? (after > backoff ? after : backoff) : backoff;
        await retry.OrchestrationContext.CreateTimer(wait, retry.CancellationToken);
        return true;
    });
}

/// <summary>The activities: the sync's own steps, called by the orchestration on either host.</summary>
public sealed class ZoomSyncActivities(SiteDirectory sites, ZoomSettingsStore settings, SiteSync siteSync, TimeProvider clock)
{
    public async Task<List<string>> EnabledSites(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var site in sites.All(ct))
            if ((await settings.Get(site.Value.Id, ct)).Enabled) ids.Add(site.Value.Id);
        return ids;
    }

    public Task<SiteRunResult> RunSite(SiteSyncInput input, CancellationToken ct) =>
        siteSync.Run(input.SiteId, clock.GetUtcNow() + input.Interval, ct);
}
