namespace Zawaroom.ZoomSync;

/// <summary>
/// Z7 "sync now" for one site. In the one-process mode it runs the site's orchestration and answers its result; on
/// Azure it hands the site to the SyncWorker Function App and answers "queued" (the status API shows the run when done).
/// </summary>
public interface IZoomSyncNow
{
    Task<SiteRunResult> Run(string siteId, CancellationToken ct);
}
