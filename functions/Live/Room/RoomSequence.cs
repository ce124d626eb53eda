using System.Collections.Concurrent;
using Zawaroom.Rooms;
using Zawaroom.Storage;

namespace Zawaroom.Live;

/// <summary>
/// L4: the per-room counter behind <c>seq</c>. Every push to a whole room takes the next number;
/// a snapshot carries the current one. Numbers of a room only grow, also across instances.
/// </summary>
public interface IRoomSequence
{
    /// <summary>Takes the next number of the room (the first is 1).</summary>
    Task<long> Next(string siteId, string roomId, CancellationToken ct);

    /// <summary>The last number taken (0 when none was).</summary>
    Task<long> Current(string siteId, string roomId, CancellationToken ct);

    /// <summary>Forgets a purged room's counter.</summary>
    Task Forget(string siteId, string roomId, CancellationToken ct);
}

/// <summary>The embedded adapter: one process, so a counter in memory. A restart drops every connection, and every reconnect takes a fresh snapshot.</summary>
public sealed class InMemoryRoomSequence : IRoomSequence
{
    sealed class Counter { public long Value; }

    readonly ConcurrentDictionary<(string Site, string Room), Counter> _counters = new();

    public Task<long> Next(string siteId, string roomId, CancellationToken ct) =>
        Task.FromResult(Interlocked.Increment(ref _counters.GetOrAdd((siteId, roomId), _ => new Counter()).Value));

    public Task<long> Current(string siteId, string roomId, CancellationToken ct) =>
        Task.FromResult(_counters.TryGetValue((siteId, roomId), out var c) ? Interlocked.Read(ref c.Value) : 0);

    public Task Forget(string siteId, string roomId, CancellationToken ct)
    {
        _counters.TryRemove((siteId, roomId), out _);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The counter as one document per room, advanced with ETags (optimistic concurrency), so instances
/// sharing a document store (Cosmos DB) never hand out the same number twice.
/// </summary>
public sealed class DocumentRoomSequence(IDocumentStore store) : IRoomSequence
{
    public const string Kind = "roomseq";

    public sealed record Counter(long Value);

    public async Task<long> Next(string siteId, string roomId, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.Get<Counter>(siteId, Kind, roomId, ct);
            var next = new Counter((current?.Value.Value ?? 0) + 1);
            try
            {
                if (current is null) await store.Create(siteId, Kind, roomId, next, ct);
                else await store.Replace(siteId, Kind, roomId, next, current.ETag, ct);
                return next.Value;
            }
            catch (Exception e) when (e is ConcurrencyException or DocumentExistsException && attempt < 50)
            {
                if (attempt > 2) await Task.Delay(Random.Shared.Next(1, 5) * attempt, ct);
            }
        }
    }

    public async Task<long> Current(string siteId, string roomId, CancellationToken ct) =>
        (await store.Get<Counter>(siteId, Kind, roomId, ct))?.Value.Value ?? 0;

    public Task Forget(string siteId, string roomId, CancellationToken ct) => store.Delete(siteId, Kind, roomId, null, ct);
}

/// <summary>A purged room's counter goes with it.</summary>
public sealed class RoomSequenceCleanup(IRoomSequence sequence) : IRoomLifecycle
{
    public Task Created(string siteId, Room room, CancellationToken ct) => Task.CompletedTask;
    public Task Purged(string siteId, string roomId, CancellationToken ct) => sequence.Forget(siteId, roomId, ct);
}
