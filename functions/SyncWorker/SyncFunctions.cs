using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Zawaroom.Logs.Export;
using Zawaroom.ZoomSync;
using Zawaroom.ZoomSync.AzureQueue;

namespace Zawaroom.SyncWorker;

/// <summary>
/// The Functions triggers of the sync. Each one only binds: the orchestration bodies are ZoomSyncOrchestration's (the
/// same the one-process mode runs), the activities ZoomSyncActivities', the sweep LogExportRetention's.
/// </summary>
public sealed class SyncFunctions(ZoomSyncActivities activities, LogExportRetention retention, IOptions<ZoomOptions> options)
{
    /// <summary>Keeps the eternal rounds running: starts them after a deployment, and again should they ever have ended.</summary>
    [Function("ZoomSyncTimer")]
    public Task Timer([TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer, [DurableClient] DurableTaskClient client,
        FunctionContext context) =>
        ZoomSyncOrchestration.StartRounds(client, options.Value, context.CancellationToken);

    [Function(ZoomSyncOrchestration.Rounds)]
    public static Task<long> Rounds([OrchestrationTrigger] TaskOrchestrationContext context) =>
        ZoomSyncOrchestration.RunRounds(context, context.GetInput<SyncRounds>()!);

    [Function(ZoomSyncOrchestration.Site)]
    public static Task<SiteRunResult> Site([OrchestrationTrigger] TaskOrchestrationContext context) =>
        ZoomSyncOrchestration.RunSite(context, context.GetInput<SiteSyncInput>()!);

    [Function(ZoomSyncOrchestration.EnabledSitesActivity)]
    public Task<List<string>> EnabledSites([ActivityTrigger] string? input, FunctionContext context) =>
        activities.EnabledSites(context.CancellationToken);

    [Function(ZoomSyncOrchestration.SiteRunActivity)]
    public Task<SiteRunResult> SiteRun([ActivityTrigger] SiteSyncInput input, FunctionContext context) =>
        activities.RunSite(input, context.CancellationToken);

    /// <summary>"Sync now" from the API app (QueueZoomSyncNow): the site's run under its instance id, so a second message while it runs joins it.</summary>
    [Function("ZoomSyncNow")]
    public Task SyncNow([QueueTrigger("zoom-sync-now", Connection = "ZoomSyncQueue")] QueueZoomSyncNow.Message message,
        [DurableClient] DurableTaskClient client, FunctionContext context) =>
        ZoomSyncOrchestration.StartSite(client, message.SiteId, options.Value, context.CancellationToken);

    [Function("LogExportRetention")]
    public Task Retention([TimerTrigger("0 17 * * * *")] TimerInfo timer, FunctionContext context) =>
        retention.Sweep(context.CancellationToken);
}
