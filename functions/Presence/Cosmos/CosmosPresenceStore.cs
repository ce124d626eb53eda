using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Zawaroom.Common;
using Zawaroom.Storage.Cosmos;

namespace Zawaroom.Presence.Cosmos;

/// <summary>
/// Presence on Cosmos DB, shared by every instance (ARCHITECTURE.md "The live room, on one process
/// and on many"): one item per connection in the presence container, partitioned by site id.
/// <para>
/// Expiry is decided here from <c>heartbeat</c> (a fixed-width UTC timestamp, so it compares as a
/// string); the item's <c>ttl</c> only lets Cosmos clean up behind (the local stand-in has no TTL).
/// Every read-modify-write is guarded by the item's ETag and retried on a lost race; a removal is a
/// delete with If-Match, so of several instances removing one record exactly one gets it.
/// </para>
/// <para>
/// Positions are debounced: a move is written at once when the meeting room changes or the last write
/// is at least <see cref="MoveWriteInterval"/> old, else kept here and written by a timer, so the record
/// holds the last position (on stop) within that interval without one write per move.
/// </para>
/// </summary>
public sealed class CosmosPresenceStore : IPresenceStore, IAsyncDisposable
{
    public const string PartitionKeyPath = "/siteId";
    const string Kind = "presence";
    public static readonly TimeSpan MoveWriteInterval = TimeSpan.FromSeconds(2);

    readonly Func<Task<Container>> _container;
    readonly IOptions<PresenceOptions> _options;
    readonly TimeProvider _clock;
    readonly ILogger<CosmosPresenceStore>? _logger;
    /// <summary>When this instance last wrote a connection's position, and the meeting room it wrote.</summary>
    readonly ConcurrentDictionary<(string Site, string Connection), (DateTimeOffset At, string? MeetingRoomId)> _written = new();
    readonly ConcurrentDictionary<(string Site, string Connection), (double X, double Y, string? MeetingRoomId)> _pendingMoves = new();
    readonly ITimer _flushTimer;

    public CosmosPresenceStore(Func<Task<Container>> container, IOptions<PresenceOptions> options, TimeProvider clock,
        ILogger<CosmosPresenceStore>? logger = null)
    {
        (_container, _options, _clock, _logger) = (container, options, clock, logger);
        _flushTimer = clock.CreateTimer(_ => _ = FlushMovesSafely(), null, MoveWriteInterval, MoveWriteInterval);
    }

    /// <summary>The presence container of the account, created when missing (TTL on, items carry their own).</summary>
    public static Func<Task<Container>> ContainerOf(CosmosClient client, CosmosStoreOptions options)
    {
        var container = new Lazy<Task<Container>>(() => CosmosDocumentStore.OpenContainer(client, options, options.PresenceContainer, PartitionKeyPath, defaultTtl: -1));
        return () => container.Value;
    }

    TimeSpan Timeout => _options.Value.HeartbeatTimeout;
    DateTimeOffset Cutoff => _clock.GetUtcNow() - Timeout;

    /// <summary>Fixed width, UTC: compares as a string the way the instants compare.</summary>
    internal static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    static string ItemId(string connectionId) => CosmosDocumentStore.ItemId(Kind, connectionId);

    /// <summary>Cosmos removes the item this long after its last write when nobody swept it (a few timeouts).</summary>
    int TtlSeconds => (int)Math.Max(60, Math.Ceiling(Timeout.TotalSeconds * 4));

    MemoryStream Item(PresenceRecord r) => new(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["id"] = ItemId(r.ConnectionId),
        ["siteId"] = r.SiteId,
        ["kind"] = Kind,
        ["roomId"] = r.RoomId,
        ["connectionId"] = r.ConnectionId,
        ["heartbeat"] = Stamp(r.LastHeartbeat),
        ["ttl"] = TtlSeconds,
        ["record"] = JsonSerializer.SerializeToNode(r, Json.Options),
    }));

    static PresenceRecord Record(JsonElement item) => item.GetProperty("record").Deserialize<PresenceRecord>(Json.Options)!;

    bool Alive(PresenceRecord r) => r.LastHeartbeat >= Cutoff;

    /// <summary>A position this instance holds back (debounced) is newer than the stored one.</summary>
    PresenceRecord WithPending(PresenceRecord r) =>
        _pendingMoves.TryGetValue((r.SiteId, r.ConnectionId), out var p) ? r with { X = p.X, Y = p.Y, MeetingRoomId = p.MeetingRoomId } : r;

    async Task<(PresenceRecord Record, string ETag)?> Read(string siteId, string connectionId, CancellationToken ct)
    {
        var container = await _container();
        using var response = await container.ReadItemStreamAsync(ItemId(connectionId), new PartitionKey(siteId), cancellationToken: ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw Failure(response, "reading a presence record");
        using var json = await JsonDocument.ParseAsync(response.Content, cancellationToken: ct);
        return (Record(json.RootElement), response.Headers.ETag ?? json.RootElement.GetProperty("_etag").GetString()!);
    }

    public async Task Join(PresenceRecord record, CancellationToken ct)
    {
        var container = await _container();
        using var response = await container.UpsertItemStreamAsync(Item(record), new PartitionKey(record.SiteId), cancellationToken: ct);
        if (!response.IsSuccessStatusCode) throw Failure(response, "writing a presence record");
        _pendingMoves.TryRemove((record.SiteId, record.ConnectionId), out _);
        _written[(record.SiteId, record.ConnectionId)] = (_clock.GetUtcNow(), record.MeetingRoomId);
    }

    public async Task<PresenceRecord?> Get(string siteId, string connectionId, CancellationToken ct) =>
        await Read(siteId, connectionId, ct) is { } found && Alive(found.Record) ? WithPending(found.Record) : null;

    public async Task<PresenceRecord?> Update(string siteId, string connectionId, Func<PresenceRecord, PresenceRecord> change, CancellationToken ct)
    {
        var container = await _container();
        while (await Read(siteId, connectionId, ct) is { } current)
        {
            var next = change(current.Record);
            using var response = await container.ReplaceItemStreamAsync(Item(next), ItemId(connectionId), new PartitionKey(siteId),
                new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
            if (response.IsSuccessStatusCode) return next;
            if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound) continue; // lost a race: read again
            throw Failure(response, "updating a presence record");
        }
        return null;
    }

    /// <summary>A held-back position is written by the next flush, at most one interval later.</summary>
    public TimeSpan MoveDelay => MoveWriteInterval;

    public async Task Move(string siteId, string connectionId, double x, double y, string? meetingRoomId, CancellationToken ct)
    {
        var key = (siteId, connectionId);
        var now = _clock.GetUtcNow();
        // A meeting-room change is written at once: other instances decide enter/leave of meeting rooms from it.
        if (_written.TryGetValue(key, out var last) && last.MeetingRoomId == meetingRoomId && now - last.At < MoveWriteInterval)
        {
            _pendingMoves[key] = (x, y, meetingRoomId);
            return;
        }
        _pendingMoves.TryRemove(key, out _);
        _written[key] = (now, meetingRoomId);
        await Update(siteId, connectionId, r => r with { X = x, Y = y, MeetingRoomId = meetingRoomId }, ct);
    }

    /// <summary>Writes every held-back position; the timer calls it, so does a test that cannot wait.</summary>
    public async Task FlushMoves(CancellationToken ct)
    {
        foreach (var key in _pendingMoves.Keys)
        {
            if (!_pendingMoves.TryRemove(key, out var p)) continue;
            _written[key] = (_clock.GetUtcNow(), p.MeetingRoomId);
            await Update(key.Site, key.Connection, r => r with { X = p.X, Y = p.Y, MeetingRoomId = p.MeetingRoomId }, ct);
        }
    }

    /// <summary>A flush that hangs on Cosmos DB is given up after this; the positions it did not write go with the next move or flush.</summary>
    static readonly TimeSpan FlushTimeout = MoveWriteInterval * 5;

    async Task FlushMovesSafely()
    {
        try
        {
            using var bounded = new CancellationTokenSource(FlushTimeout);
            await FlushMoves(bounded.Token);
        }
        catch (Exception e)
        {
            _logger?.LogWarning(e, "Writing debounced positions to Cosmos DB failed; they are written with the next move.");
        }
    }

    public async Task Heartbeat(string siteId, IReadOnlyCollection<string> connectionIds, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var id in connectionIds)
            await Update(siteId, id, r => r.LastHeartbeat >= at ? r : r with { LastHeartbeat = at }, ct);
    }

    public Task<PresenceRecord?> Remove(string siteId, string connectionId, CancellationToken ct) =>
        RemoveWhen(siteId, connectionId, _ => true, ct);

    public Task<PresenceRecord?> RemoveExpired(string siteId, string connectionId, DateTimeOffset cutoff, CancellationToken ct) =>
        RemoveWhen(siteId, connectionId, r => r.LastHeartbeat < cutoff, ct);

    /// <summary>Deletes the record as read (If-Match), so exactly one remover gets it and a renewal in between is not lost.</summary>
    async Task<PresenceRecord?> RemoveWhen(string siteId, string connectionId, Func<PresenceRecord, bool> condition, CancellationToken ct)
    {
        var container = await _container();
        while (await Read(siteId, connectionId, ct) is { } current)
        {
            if (!condition(current.Record)) return null;
            using var response = await container.DeleteItemStreamAsync(ItemId(connectionId), new PartitionKey(siteId),
                new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
            if (response.IsSuccessStatusCode)
            {
                var removed = WithPending(current.Record);
                _pendingMoves.TryRemove((siteId, connectionId), out _);
                _written.TryRemove((siteId, connectionId), out _);
                return removed;
            }
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (response.StatusCode == HttpStatusCode.PreconditionFailed) continue;
            throw Failure(response, "removing a presence record");
        }
        return null;
    }

    public async Task<IReadOnlyList<PresenceRecord>> InRoom(string siteId, string roomId, CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.siteId = @site AND c.kind = @kind AND c.roomId = @room AND c.heartbeat >= @cutoff")
            .WithParameter("@site", siteId).WithParameter("@kind", Kind).WithParameter("@room", roomId).WithParameter("@cutoff", Stamp(Cutoff));
        var records = new List<PresenceRecord>();
        await foreach (var item in Query(query, siteId, ct))
        {
            var r = Record(item);
            if (Alive(r)) records.Add(WithPending(r));
        }
        return records;
    }

    /// <summary>The sweep's question spans every site: the one query that crosses partitions, on the heartbeat alone.</summary>
    public async Task<IReadOnlyList<PresenceRecord>> Expired(DateTimeOffset cutoff, CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.kind = @kind AND c.heartbeat < @cutoff")
            .WithParameter("@kind", Kind).WithParameter("@cutoff", Stamp(cutoff));
        var records = new List<PresenceRecord>();
        await foreach (var item in Query(query, null, ct)) records.Add(Record(item));
        return records;
    }

    public async Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct) =>
        (await InRoom(siteId, roomId, ct)).DistinctBy(r => r.Email).OrderBy(r => r.Name).Select(r => new Occupant(r.Email, r.Name)).ToList();

    async IAsyncEnumerable<JsonElement> Query(QueryDefinition query, string? partition, [EnumeratorCancellation] CancellationToken ct)
    {
        var container = await _container();
        using var pages = container.GetItemQueryStreamIterator(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = partition is null ? null : new PartitionKey(partition),
            MaxItemCount = 500,
        });
        while (pages.HasMoreResults)
        {
            using var page = await pages.ReadNextAsync(ct);
            if (!page.IsSuccessStatusCode) throw Failure(page, "a presence query");
            using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: ct);
            foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
                yield return item.Clone();
        }
    }

    static CosmosException Failure(ResponseMessage response, string what) =>
        new($"Cosmos DB refused {what}: {response.ErrorMessage}", response.StatusCode, 0, response.Headers.ActivityId, response.Headers.RequestCharge);

    public async ValueTask DisposeAsync()
    {
        await _flushTimer.DisposeAsync();
        await FlushMovesSafely();
    }
}
