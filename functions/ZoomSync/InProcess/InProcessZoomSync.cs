using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Options;

namespace Zawaroom.ZoomSync.InProcess;

/// <summary>
/// The one-process mode's Durable Task host: the in-memory DurableTask backend (Microsoft.DurableTask.InProcessTestHost,
/// a gRPC sidecar on a loopback port) running <see cref="ZoomSyncOrchestration"/> with the app's own services. It starts
/// on the first "sync now" or, with Zawaroom:Zoom:Timer on, one SyncInterval after the app started; then the eternal
/// orchestration keeps the rounds going. Its state is in memory: a restart starts the rounds again, and what a run had
/// done is in the stores (the sync never depends on orchestration history to avoid duplicates).
/// </summary>
public sealed class InProcessZoomSync(IServiceProvider services, IOptions<ZoomOptions> options, IConfiguration configuration,
    ILoggerFactory loggers) : BackgroundService, IZoomSyncNow
{
    readonly SemaphoreSlim _gate = new(1, 1);
    // The in-memory backend does not refuse a second start of a running instance id, so this process orders its own starts.
    readonly SemaphoreSlim _starting = new(1, 1);
    DurableTaskTestHost? _host;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Zawaroom:Zoom:Timer", true)) return;
        try
        {
            // As the timer before it: the first round one interval after the start, so a short-lived process starts no host.
            await Task.Delay(options.Value.SyncInterval, stoppingToken);
            var client = await Client(stoppingToken);
            await ZoomSyncOrchestration.StartRounds(client, options.Value, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public async Task<SiteRunResult> Run(string siteId, CancellationToken ct)
    {
        var client = await Client(ct);
        var id = ZoomSyncOrchestration.SiteInstanceId(siteId);
        await _starting.WaitAsync(ct);
        try { await ZoomSyncOrchestration.StartSite(client, siteId, options.Value, ct); }
        finally { _starting.Release(); }
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);
        return done.RuntimeStatus == OrchestrationRuntimeStatus.Completed
            ? done.ReadOutputAs<SiteRunResult>() ?? new SiteRunResult("failed")
            : new SiteRunResult("failed");
    }

    /// <summary>The client of the in-memory host, started on first use.</summary>
    public async Task<DurableTaskClient> Client(CancellationToken ct)
    {
        if (_host is { } ready) return ready.Client;
        await _gate.WaitAsync(ct);
        try
        {
            _host ??= await DurableTaskTestHost.StartAsync(tasks => ZoomSyncTasks.Register(tasks, services), new DurableTaskTestHostOptions
            {
                Port = options.Value.DurablePort > 0 ? options.Value.DurablePort : FreeLoopbackPort(),
                LoggerFactory = loggers,
            }, ct);
            return _host.Client;
        }
        finally { _gate.Release(); }
    }

    static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_host is { } host) await host.DisposeAsync();
        _host = null;
    }
}

/// <summary>The orchestration's registrations for a DurableTask worker; the activities come from the app's services.</summary>
public static class ZoomSyncTasks
{
    public static void Register(DurableTaskRegistry tasks, IServiceProvider app)
    {
        tasks.AddOrchestratorFunc<SyncRounds, long>(ZoomSyncOrchestration.Rounds, ZoomSyncOrchestration.RunRounds);
        tasks.AddOrchestratorFunc<SiteSyncInput, SiteRunResult>(ZoomSyncOrchestration.Site, ZoomSyncOrchestration.RunSite);
        tasks.AddActivityFunc<object?, List<string>>(ZoomSyncOrchestration.EnabledSitesActivity,
            (_, _) => app.GetRequiredService<ZoomSyncActivities>().EnabledSites(CancellationToken.None));
        tasks.AddActivityFunc<SiteSyncInput, SiteRunResult>(ZoomSyncOrchestration.SiteRunActivity,
            (_, input) => app.GetRequiredService<ZoomSyncActivities>().RunSite(input, CancellationToken.None));
    }
}
