// Log export benchmark (G2): N usage events in the embedded event log (SQLite), exported to CSV by the
// real LogExports service into the embedded blob store (a folder). Prints rows/s and the peak memory
// of each run: the managed heap and working set peaks stay flat as N grows tenfold, because the
// event log is read as a stream and the CSV goes through a bounded pipe straight into the blob.
// Usage: dotnet run -c Release --project tests/bench/logexport -p:SkipStaticWeb=true [-- 100000,1000000]
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Zawaroom.Blobs.Folder;
using Zawaroom.Identity;
using Zawaroom.Logs;
using Zawaroom.Logs.Export;
using Zawaroom.Logs.Sqlite;
using Zawaroom.Storage.Sqlite;

var sizes = (args.Length > 0 ? args[0] : "100000,1000000").Split(',').Select(long.Parse).ToList();
var dir = Path.Combine(Path.GetTempPath(), "zawaroom-bench-logexport", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
var ct = CancellationToken.None;
try
{
    var log = new SqliteEventLog(Path.Combine(dir, "events.db"));
    var store = new SqliteDocumentStore(Path.Combine(dir, "zawaroom.db"));
    var blobs = new FolderBlobStore(Path.Combine(dir, "blobs"));
    var exports = new LogExports(store, blobs, log, new NoRoomAdmins(), TimeProvider.System, NullLogger<LogExports>.Instance);
    var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    long appended = 0;

    Console.WriteLine($"{"events",10} {"rows",10} {"seconds",8} {"rows/s",10} {"CSV MB",8} {"peak heap MB",13} {"peak WS MB",11} {"alloc MB",9}");
    foreach (var size in sizes)
    {
        // The log grows to `size` events over one year (a site's year of use); every export reads all of them.
        var append = Stopwatch.StartNew();
        var step = TimeSpan.FromDays(365).Ticks / Math.Max(size, 1);
        var batch = new List<Task>();
        for (; appended < size; appended++)
        {
            var i = appended;
            batch.Add(log.Append(new UsageEvent
            {
                Id = $"e{i}", SiteId = "bench", EventDateTime = t0.AddTicks(step * i), EventType = (i % 3) switch { 0 => EventTypes.UserMessage, 1 => EventTypes.Status, _ => EventTypes.EnterRoom },
                Email = $"member{i % 500}@bench.example", Name = $"メンバー {i % 500}", Space = "本社", Room = $"部屋 {i % 20}",
                SubroomName = i % 4 == 0 ? "会議室 A" : "", SpaceId = "space", RoomId = $"room{i % 20}",
                Details = new Dictionary<string, string> { ["message"] = $"こんにちは, \"{i}\"\nline two", ["cid"] = $"c{i}" },
            }, ct));
            if (batch.Count == 64) { await Task.WhenAll(batch); batch.Clear(); }
        }
        await Task.WhenAll(batch);
        Console.Error.WriteLine($"(log now holds {appended} events; appending took {append.Elapsed.TotalSeconds:F1} s)");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseHeap = GC.GetTotalMemory(true);
        var allocated = GC.GetTotalAllocatedBytes(true);
        long peakHeap = 0, peakWs = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                peakWs = Math.Max(peakWs, Environment.WorkingSet);
                try { await Task.Delay(5, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var run = Stopwatch.StartNew();
        var export = await exports.Start("bench", "admin@bench.example", t0, t0.AddDays(366), null, null, ct);
        await exports.Run(new PendingExport("bench", export.Id), ct);
        run.Stop();
        sampling.Cancel();
        await sampler;

        var done = (await store.Get<LogExport>("bench", LogExports.Kind, export.Id, ct))!.Value;
        if (done.State != ExportState.Done || done.Rows != size) throw new InvalidOperationException($"export {done.State} with {done.Rows} rows");
        var csv = new FileInfo(Path.Combine(dir, "blobs", LogExports.BlobName("bench", export.Id)));
        Console.WriteLine($"{size,10} {done.Rows,10} {run.Elapsed.TotalSeconds,8:F1} {done.Rows / run.Elapsed.TotalSeconds,10:F0} {csv.Length / 1e6,8:F1} "
            + $"{peakHeap / 1e6,13:F1} {peakWs / 1e6,11:F1} {(GC.GetTotalAllocatedBytes(true) - allocated) / 1e6,9:F0}");
        Console.Error.WriteLine($"(heap before the export: {baseHeap / 1e6:F1} MB)");
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try { Directory.Delete(dir, true); } catch (IOException) { }
}

sealed class NoRoomAdmins : IRoomAdminCheck
{
    public Task<bool> Exists(string siteId, string roomId, CancellationToken ct) => Task.FromResult(false);
    public Task<bool> IsRoomAdmin(string siteId, string roomId, string email, CancellationToken ct) => Task.FromResult(false);
}
