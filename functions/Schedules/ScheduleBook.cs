using Zawaroom.Common;
using Zawaroom.Storage;

namespace Zawaroom.Schedules;

/// <summary>The site's schedule timezone (Z1); entries without an offset (all-day, floating iCalendar times) use it.</summary>
public interface ISiteTimeZone
{
    Task<TimeZoneInfo> Of(string siteId, CancellationToken ct);
}

/// <summary>The time zone of a site that has not chosen one: Japan, where the product's customers are.</summary>
public static class TokyoTimeZone
{
    public static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
}

public enum UpsertResult { Created, Updated, Unchanged }

/// <summary>Members' schedule entries (Z3): the owner's CRUD and the import's upsert by UID.</summary>
public sealed class ScheduleBook(IDocumentStore store, TimeProvider clock)
{
    public const string Kind = "schedule";

    public IAsyncEnumerable<Stored<ScheduleEntry>> All(string siteId, CancellationToken ct) => store.List<ScheduleEntry>(siteId, Kind, ct);

    public async Task<List<ScheduleEntry>> OwnedBy(string siteId, string owner, CancellationToken ct)
    {
        var entries = new List<ScheduleEntry>();
        await foreach (var e in All(siteId, ct))
            if (e.Value.Owner == owner) entries.Add(e.Value);
        return entries;
    }

    /// <summary>The owner's entry; another member's id is a 404, as if it did not exist.</summary>
    public async Task<ScheduleEntry> Get(string siteId, string owner, string id, CancellationToken ct)
    {
        var entry = await store.Get<ScheduleEntry>(siteId, Kind, id, ct);
        return entry is not null && entry.Value.Owner == owner ? entry.Value : throw Problems.NotFound("There is no such schedule entry.");
    }

    public async Task<ScheduleEntry> Create(string siteId, string owner, EntryContent content, CancellationToken ct)
    {
        var uid = $"{Guid.NewGuid():N}@zawaroom";
        var entry = new ScheduleEntry { Id = ScheduleEntry.IdFor(owner, uid), Owner = owner, Uid = uid, Content = content, UpdatedAt = clock.GetUtcNow() };
        await store.Create(siteId, Kind, entry.Id, entry, ct);
        return entry;
    }

    public async Task<ScheduleEntry> Replace(string siteId, string owner, string id, EntryContent content, CancellationToken ct)
    {
        await Get(siteId, owner, id, ct);
        var saved = await store.Update<ScheduleEntry>(siteId, Kind, id, e => e.Content.SameAs(content) ? null
            : e with { Content = content, Revision = e.Revision + 1, UpdatedAt = clock.GetUtcNow() }, ct);
        return saved?.Value ?? throw Problems.NotFound("There is no such schedule entry.");
    }

    public async Task Delete(string siteId, string owner, string id, CancellationToken ct)
    {
        await Get(siteId, owner, id, ct);
        await store.Delete(siteId, Kind, id, null, ct);
    }

    /// <summary>Import: the entry keeps its identity by UID, so the same content again changes nothing.</summary>
    public async Task<UpsertResult> Upsert(string siteId, string owner, string uid, EntryContent content, CancellationToken ct)
    {
        var id = ScheduleEntry.IdFor(owner, uid);
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.Get<ScheduleEntry>(siteId, Kind, id, ct);
            try
            {
                if (current is null)
                {
                    await store.Create(siteId, Kind, id, new ScheduleEntry { Id = id, Owner = owner, Uid = uid, Content = content, UpdatedAt = clock.GetUtcNow() }, ct);
                    return UpsertResult.Created;
                }
                if (current.Value.Content.SameAs(content)) return UpsertResult.Unchanged;
                await store.Replace(siteId, Kind, id, current.Value with { Content = content, Revision = current.Value.Revision + 1, UpdatedAt = clock.GetUtcNow() }, current.ETag, ct);
                return UpsertResult.Updated;
            }
            catch (Exception e) when (e is ConcurrencyException or DocumentExistsException && attempt < 5)
            {
            }
        }
    }

    /// <summary>The sync's write of the Zoom state; never bumps the revision.</summary>
    public Task SetZoom(string siteId, string id, ZoomLinkState state, CancellationToken ct) =>
        store.Update<ScheduleEntry>(siteId, Kind, id, e => e.Zoom == state ? null : e with { Zoom = state }, ct);
}
