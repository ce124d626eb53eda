using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Presence;
using Zawaroom.Storage;

namespace Zawaroom.Rooms;

/// <summary>
/// A site's spaces and rooms (P1, P2), the trash, and the occupied-room guard (P3).
/// Other features hook room creation and purge through <see cref="IRoomLifecycle"/>.
/// </summary>
public sealed class RoomDirectory(IDocumentStore store, IBlobStore blobs, IPresenceReader presence,
    IEnumerable<IRoomLifecycle> lifecycle, TimeProvider clock) : IRoomAdminCheck
{
    public const string RoomKind = "room";
    public const string SpaceKind = "space";

    public static string BlobPrefix(string siteId, string roomId) => $"{siteId}/rooms/{roomId}/";

    // Spaces

    public Task<List<Space>> Spaces(string siteId, CancellationToken ct) => store.ListValues<Space>(siteId, SpaceKind, ct);

    public async Task<Space> Space(string siteId, string spaceId, CancellationToken ct) =>
        (await store.Get<Space>(siteId, SpaceKind, spaceId, ct))?.Value ?? throw Problems.NotFound("There is no such space.");

    public async Task<Space> CreateSpace(string siteId, string name, CancellationToken ct)
    {
        var space = new Space(NewId(), Names.Require(name, "space"), clock.GetUtcNow());
        await store.Create(siteId, SpaceKind, space.Id, space, ct);
        return space;
    }

    public async Task<Space> RenameSpace(string siteId, string spaceId, string name, CancellationToken ct)
    {
        var clean = Names.Require(name, "space");
        var saved = await store.Update<Space>(siteId, SpaceKind, spaceId, s => s with { Name = clean }, ct);
        return saved?.Value ?? throw Problems.NotFound("There is no such space.");
    }

    /// <summary>P1: deleting a space moves all its rooms to the trash; refused while any of them is occupied.</summary>
    public async Task DeleteSpace(string siteId, string spaceId, CancellationToken ct)
    {
        await Space(siteId, spaceId, ct);
        var rooms = await RoomsOf(siteId, spaceId, ct);
        foreach (var room in rooms) await RequireEmpty(siteId, room, ct);
        foreach (var room in rooms) await Trash(siteId, room.Id, ct);
        await store.Delete(siteId, SpaceKind, spaceId, null, ct);
    }

    // Rooms

    public async Task<List<Room>> AllRooms(string siteId, CancellationToken ct) => await store.ListValues<Room>(siteId, RoomKind, ct);

    public async Task<List<Room>> RoomsOf(string siteId, string spaceId, CancellationToken ct) =>
        (await AllRooms(siteId, ct)).Where(r => r.SpaceId == spaceId && r.TrashedAt is null).OrderBy(r => r.CreatedAt).ToList();

    /// <summary>A room that is not in the trash, with its ETag; 404 otherwise (also for another site's id).</summary>
    public async Task<Stored<Room>> Get(string siteId, string roomId, CancellationToken ct)
    {
        var room = await store.Get<Room>(siteId, RoomKind, roomId, ct);
        return room is { Value.TrashedAt: null } ? room : throw Problems.NotFound("There is no such room.");
    }

    public async Task<Room> Create(string siteId, string spaceId, string name, string? description, CancellationToken ct)
    {
        await Space(siteId, spaceId, ct);
        var room = new Room
        {
            Id = NewId(),
            SpaceId = spaceId,
            Name = Names.Require(name, "room"),
            Description = Description(description),
            CreatedAt = clock.GetUtcNow(),
        };
        await store.Create(siteId, RoomKind, room.Id, room, ct);
        foreach (var hook in lifecycle) await hook.Created(siteId, room, ct);
        return room;
    }

    public async Task<Stored<Room>> Replace(string siteId, Room room, string? ifMatch, CancellationToken ct)
    {
        await RequireEmpty(siteId, room, ct);
        return await store.Replace(siteId, RoomKind, room.Id, room, ifMatch, ct);
    }

    public async Task Trash(string siteId, string roomId, CancellationToken ct)
    {
        var room = await Get(siteId, roomId, ct);
        await RequireEmpty(siteId, room.Value, ct);
        await store.Replace(siteId, RoomKind, roomId, room.Value with { TrashedAt = clock.GetUtcNow() }, room.ETag, ct);
    }

    public async Task<List<Room>> Trashed(string siteId, CancellationToken ct) =>
        (await AllRooms(siteId, ct)).Where(r => r.TrashedAt is not null).OrderByDescending(r => r.TrashedAt).ToList();

    /// <summary>Back to its space, or to <paramref name="spaceId"/>; a room whose space was deleted needs one.</summary>
    public async Task<Room> Restore(string siteId, string roomId, string? spaceId, CancellationToken ct)
    {
        var room = await store.Get<Room>(siteId, RoomKind, roomId, ct);
        if (room is not { Value.TrashedAt: not null }) throw Problems.NotFound("There is no such room in the trash.");
        var target = spaceId ?? room.Value.SpaceId;
        if (await store.Get<Space>(siteId, SpaceKind, target, ct) is null)
        {
            if (spaceId is not null) throw Problems.NotFound("There is no such space.");
            var first = (await Spaces(siteId, ct)).OrderBy(s => s.CreatedAt).FirstOrDefault()
                ?? throw Problems.Of(409, "space-missing", "No space", "The room's space was deleted; create a space to restore it into.");
            target = first.Id;
        }
        var restored = room.Value with { TrashedAt = null, SpaceId = target };
        await store.Replace(siteId, RoomKind, roomId, restored, room.ETag, ct);
        return restored;
    }

    /// <summary>Removes a trashed room for good, with its documents and blobs.</summary>
    public async Task Purge(string siteId, string roomId, CancellationToken ct)
    {
        var room = await store.Get<Room>(siteId, RoomKind, roomId, ct);
        if (room is not { Value.TrashedAt: not null }) throw Problems.NotFound("There is no such room in the trash.");
        foreach (var hook in lifecycle) await hook.Purged(siteId, roomId, ct);
        await blobs.DeletePrefix(BlobPrefix(siteId, roomId), ct);
        await store.Delete(siteId, RoomKind, roomId, null, ct);
    }

    public async Task RequireEmpty(string siteId, Room room, CancellationToken ct)
    {
        var inside = await presence.Occupants(siteId, room.Id, ct);
        if (inside.Count > 0)
            throw Problems.Of(409, "room-occupied", "Room occupied",
                $"{inside.Count} member(s) are in '{room.Name}'. A room can be edited or deleted only when nobody is inside.",
                new Dictionary<string, object?> { ["occupancy"] = inside.Count });
    }

    public async Task<bool> Exists(string siteId, string roomId, CancellationToken ct) =>
        await store.Get<Room>(siteId, RoomKind, roomId, ct) is { Value.TrashedAt: null };

    public async Task<bool> IsRoomAdmin(string siteId, string roomId, string email, CancellationToken ct) =>
        (await store.Get<Room>(siteId, RoomKind, roomId, ct))?.Value.RoomAdmins.Contains(email.ToLowerInvariant()) == true;

    public async Task<IReadOnlyList<string>> RoomsAdministeredBy(string siteId, string email, CancellationToken ct) =>
        (await AllRooms(siteId, ct)).Where(r => r.TrashedAt is null && r.RoomAdmins.Contains(email.ToLowerInvariant())).Select(r => r.Id).ToList();

    public static string Description(string? description) =>
        description is { Length: > 500 } ? throw Problems.Validation("A description has at most 500 characters.") : description?.Trim() ?? "";

    static string NewId() => Guid.NewGuid().ToString("N")[..16];
}

/// <summary>What other features do when a room is made or purged (default settings, blobs, logs …).</summary>
public interface IRoomLifecycle
{
    Task Created(string siteId, Room room, CancellationToken ct);
    Task Purged(string siteId, string roomId, CancellationToken ct);
}
