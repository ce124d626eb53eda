using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Zawaroom.Presence.Memory;

/// <summary>The embedded presence adapter: the one process's memory, keyed by site and connection.</summary>
public sealed class InMemoryPresenceStore(IOptions<PresenceOptions> options, TimeProvider clock) : IPresenceStore
{
    readonly ConcurrentDictionary<(string Site, string Connection), PresenceRecord> _records = new();

    bool Alive(PresenceRecord r) => r.LastHeartbeat >= clock.GetUtcNow() - options.Value.HeartbeatTimeout;

    public Task Join(PresenceRecord record, CancellationToken ct)
    {
        _records[(record.SiteId, record.ConnectionId)] = record;
        return Task.CompletedTask;
    }

    public Task<PresenceRecord?> Get(string siteId, string connectionId, CancellationToken ct) =>
        Task.FromResult(_records.TryGetValue((siteId, connectionId), out var r) && Alive(r) ? r : null);

    public Task<PresenceRecord?> Update(string siteId, string connectionId, Func<PresenceRecord, PresenceRecord> change, CancellationToken ct)
    {
        var key = (siteId, connectionId);
        while (_records.TryGetValue(key, out var current))
        {
            var next = change(current);
            if (_records.TryUpdate(key, next, current)) return Task.FromResult<PresenceRecord?>(next);
        }
        return Task.FromResult<PresenceRecord?>(null);
    }

    public Task Move(string siteId, string connectionId, double x, double y, string? meetingRoomId, CancellationToken ct) =>
        Update(siteId, connectionId, r => r with { X = x, Y = y, MeetingRoomId = meetingRoomId }, ct);

    public async Task Heartbeat(string siteId, IReadOnlyCollection<string> connectionIds, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var id in connectionIds) await Update(siteId, id, r => r.LastHeartbeat >= at ? r : r with { LastHeartbeat = at }, ct);
    }

    public Task<PresenceRecord?> Remove(string siteId, string connectionId, CancellationToken ct) =>
        Task.FromResult(_records.TryRemove((siteId, connectionId), out var r) ? r : null);

    public Task<PresenceRecord?> RemoveExpired(string siteId, string connectionId, DateTimeOffset cutoff, CancellationToken ct) =>
        Task.FromResult(_records.TryGetValue((siteId, connectionId), out var r) && r.LastHeartbeat < cutoff
            && _records.TryRemove(new KeyValuePair<(string, string), PresenceRecord>((siteId, connectionId), r)) ? r : null);

    public Task<IReadOnlyList<PresenceRecord>> InRoom(string siteId, string roomId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PresenceRecord>>(_records.Values
            .Where(r => r.SiteId == siteId && r.RoomId == roomId && Alive(r)).ToList());

    public Task<IReadOnlyList<PresenceRecord>> Expired(DateTimeOffset cutoff, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PresenceRecord>>(_records.Values.Where(r => r.LastHeartbeat < cutoff).ToList());

    public async Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct) =>
        (await InRoom(siteId, roomId, ct)).DistinctBy(r => r.Email).OrderBy(r => r.Name).Select(r => new Occupant(r.Email, r.Name)).ToList();
}
