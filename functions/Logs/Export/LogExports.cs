using System.IO.Pipelines;
using System.Threading.Channels;
using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Storage;

namespace Zawaroom.Logs.Export;

/// <summary>
/// G2: starts exports (a document + a queue item) and runs them: the event log's range is read as a
/// stream, filtered, written as CSV into a pipe that the blob store uploads from at the same time, so
/// neither side holds more than the pipe's buffer. State and progress go to the export's document.
/// </summary>
public sealed class LogExports(IDocumentStore store, IBlobStore blobs, IEventLog log, IRoomAdminCheck rooms, TimeProvider clock,
    ILogger<LogExports> logger)
{
    public const string Kind = "log-export";
    public const string PendingKind = "log-export-pending";
    const long PipeBytes = 1 << 20;

    readonly Channel<PendingExport> _queue = Channel.CreateUnbounded<PendingExport>(new UnboundedChannelOptions { SingleReader = true });

    public static string BlobName(string siteId, string exportId) => $"{siteId}/logs/exports/{exportId}.csv";
    static string PendingId(string siteId, string exportId) => $"{siteId}:{exportId}";

    internal ChannelReader<PendingExport> Queue => _queue.Reader;

    public async Task<LogExport> Start(string siteId, string startedBy, DateTimeOffset from, DateTimeOffset to, string? spaceId, string? roomId,
        CancellationToken ct)
    {
        var export = new LogExport
        {
            Id = Guid.NewGuid().ToString("N"), StartedBy = startedBy, From = from, To = to, SpaceId = spaceId, RoomId = roomId,
            CreatedAt = clock.GetUtcNow(),
        };
        // The pending note first: an export document without it would never be picked up after a crash.
        await store.Replace(Partitions.Platform, PendingKind, PendingId(siteId, export.Id), new PendingExport(siteId, export.Id), null, ct);
        await store.Create(siteId, Kind, export.Id, export, ct);
        await _queue.Writer.WriteAsync(new PendingExport(siteId, export.Id), ct);
        return export;
    }

    /// <summary>Queues every export a previous process left unfinished (queued or interrupted while running).</summary>
    public async Task Recover(CancellationToken ct)
    {
        await foreach (var pending in store.List<PendingExport>(Partitions.Platform, PendingKind, ct))
            await _queue.Writer.WriteAsync(pending.Value, ct);
    }

    /// <summary>The export if the caller may see it: who started it, or a site admin; a room's export also needs its starter to still administer the room.</summary>
    public async Task<LogExport> Visible(Caller caller, string exportId, CancellationToken ct)
    {
        var export = (await store.Get<LogExport>(caller.SiteId, Kind, exportId, ct))?.Value;
        if (export is null) throw Problems.NotFound("There is no such export.");
        if (caller.IsSiteAdmin) return export;
        var own = string.Equals(export.StartedBy, caller.Email, StringComparison.OrdinalIgnoreCase);
        if (own && export.RoomId is { } room && await rooms.IsRoomAdmin(caller.SiteId, room, caller.Email, ct)) return export;
        throw Problems.NotFound("There is no such export.");
    }

    public async Task Run(PendingExport pending, CancellationToken ct)
    {
        var stored = await store.Get<LogExport>(pending.SiteId, Kind, pending.ExportId, ct);
        if (stored is null || stored.Value.State is ExportState.Done or ExportState.Failed)
        {
            await Forget(pending, ct);
            return;
        }
        var export = stored.Value;
        await Save(pending.SiteId, export with { State = ExportState.Running, Rows = 0, Progress = 0, Error = null }, ct);
        try
        {
            var rows = await WriteCsv(pending.SiteId, export, ct);
            await Save(pending.SiteId, export with { State = ExportState.Done, Rows = rows, Progress = 1, FinishedAt = clock.GetUtcNow() }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // shutting down: the pending note stays, the next start runs it again
        }
        catch (Exception e)
        {
            logger.LogError(e, "Log export {Export} of site {Site} failed", export.Id, pending.SiteId);
            await Save(pending.SiteId, export with { State = ExportState.Failed, FinishedAt = clock.GetUtcNow(), Error = "The export could not be written." }, ct);
        }
        await Forget(pending, ct);
    }

    async Task<long> WriteCsv(string siteId, LogExport export, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBytes, resumeWriterThreshold: PipeBytes / 2));
        var upload = Upload();
        long rows;
        try
        {
            await using var destination = pipe.Writer.AsStream();
            rows = await LogCsv.Write(log.Read(siteId, export.From, export.To, cts.Token), destination, ExportRules.Filter(export),
                p => Save(siteId, export with
                {
                    State = ExportState.Running, Rows = p.Rows, Progress = ExportRules.Progress(export.From, export.To, p.LastEventAt),
                }, cts.Token), cts.Token);
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            await upload.ContinueWith(_ => { }, CancellationToken.None); // the upload's own failure, if any, is the cause already logged
            throw;
        }
        await upload;
        return rows;

        async Task Upload()
        {
            await Task.Yield();
            try
            {
                await using var source = pipe.Reader.AsStream();
                await blobs.Put(BlobName(siteId, export.Id), source, "text/csv; charset=utf-8", cts.Token);
            }
            catch
            {
                // The writer must not wait on a reader that stopped.
                cts.Cancel();
                throw;
            }
            finally
            {
                await pipe.Reader.CompleteAsync();
            }
        }
    }

    Task Save(string siteId, LogExport export, CancellationToken ct) => store.Replace(siteId, Kind, export.Id, export, null, ct);

    Task Forget(PendingExport pending, CancellationToken ct) =>
        store.Delete(Partitions.Platform, PendingKind, PendingId(pending.SiteId, pending.ExportId), null, ct);
}

/// <summary>The background worker: one export at a time (the CSV is streamed, so the machine's I/O is the limit, not parallelism).</summary>
public sealed class LogExportWorker(LogExports exports, ILogger<LogExportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try { await exports.Recover(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Could not recover unfinished log exports"); }
        await foreach (var pending in exports.Queue.ReadAllAsync(stoppingToken))
        {
            try { await exports.Run(pending, stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogError(e, "Log export {Export} of site {Site} could not run", pending.ExportId, pending.SiteId); }
        }
    }
}
