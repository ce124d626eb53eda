using Zawaroom.Blobs;
using Zawaroom.Rooms;
using Zawaroom.Storage;

namespace Zawaroom.RoomSettings;

/// <summary>
/// The settings document of each room, and its media blobs. Made with the defaults when a room is
/// created (<see cref="IRoomLifecycle"/>), removed when it is purged. Blobs live under the room's
/// <see cref="RoomDirectory.BlobPrefix"/>, so a purge removes them with the room.
/// </summary>
public sealed class RoomSettingsStore(IDocumentStore store, IBlobStore blobs, IEnumerable<Live.IEntryPermissionWatcher> watchers) : IRoomLifecycle
{
    public const string Kind = "roomSettings";

    /// <summary>The room's settings with their ETag; a room made before this feature gets its defaults now.</summary>
    public async Task<Stored<RoomSettingsDocument>> Get(string siteId, string roomId, CancellationToken ct)
    {
        if (await store.Get<RoomSettingsDocument>(siteId, Kind, roomId, ct) is { } stored) return stored;
        try
        {
            return await store.Create(siteId, Kind, roomId, RoomSettingsDocument.Defaults(), ct);
        }
        catch (DocumentExistsException)
        {
            return (await store.Get<RoomSettingsDocument>(siteId, Kind, roomId, ct))!;
        }
    }

    /// <summary>R3 for the live room: may this member enter the room? (<see cref="EntryPermission.Allows"/> on the stored settings.)</summary>
    public async Task<bool> MayEnter(string siteId, string roomId, string email, CancellationToken ct) =>
        EntryPermission.Allows((await Get(siteId, roomId, ct)).Value.Entry, email);

    /// <summary>R8 for the live room: where an entrant appears.</summary>
    public async Task<Point> EntryPositionOf(string siteId, string roomId, CancellationToken ct) =>
        EntryPosition.Of((await Get(siteId, roomId, ct)).Value);

    /// <summary>Writes when <paramref name="ifMatch"/> still matches (else 412 "conflict"), then removes the blobs no longer used.</summary>
    public async Task<Stored<RoomSettingsDocument>> Replace(string siteId, string roomId, RoomSettingsDocument before, RoomSettingsDocument next, string ifMatch, CancellationToken ct)
    {
        var saved = await store.Replace(siteId, Kind, roomId, next, ifMatch, ct);
        await DeleteUnused(before, next, ct);
        // R3 holds for the whole stay: whoever the new entry permission leaves out is taken out of the room now.
        foreach (var watcher in watchers) await watcher.EntryChanged(siteId, roomId, ct);
        return saved;
    }

    /// <summary>Blobs the old settings named and the new ones do not.</summary>
    public async Task DeleteUnused(RoomSettingsDocument before, RoomSettingsDocument after, CancellationToken ct)
    {
        var kept = BlobsOf(after).ToHashSet(StringComparer.Ordinal);
        foreach (var blob in BlobsOf(before).Where(b => !kept.Contains(b))) await blobs.Delete(blob, ct);
    }

    public static IEnumerable<string> BlobsOf(RoomSettingsDocument settings)
    {
        if (settings.Background.Blob is { } background) yield return background;
        foreach (var m in settings.MeetingRooms)
            if (m.Bgm?.Blob is { } bgm) yield return bgm;
    }

    /// <summary>The bytes of the room's media, leaving out <paramref name="except"/> (the blob an upload replaces).</summary>
    public async Task<long> MediaBytes(RoomSettingsDocument settings, string? except, CancellationToken ct)
    {
        long total = 0;
        foreach (var name in BlobsOf(settings).Where(b => b != except))
        {
            if (await blobs.Open(name, ct) is not var (content, info)) continue;
            await content.DisposeAsync();
            total += info.Length;
        }
        return total;
    }

    /// <summary>
    /// How many media bytes a room may hold in all, so that its .zawa file (base64, plus the
    /// layout) always stays under the import limit: an exported room can always be imported.
    /// </summary>
    public static long MediaBudget(RoomMediaOptions limits) => Math.Max(0, limits.MaxZawaBytes - 1024 * 1024) / 4 * 3;

    /// <summary>A fresh blob name for a new upload, so an old one is never overwritten in place.</summary>
    public static string NewBlobName(string siteId, string roomId, string what) =>
        $"{RoomDirectory.BlobPrefix(siteId, roomId)}{what}/{Guid.NewGuid():N}";

    public async Task Created(string siteId, Room room, CancellationToken ct)
    {
        try
        {
            await store.Create(siteId, Kind, room.Id, RoomSettingsDocument.Defaults(), ct);
        }
        catch (DocumentExistsException)
        {
        }
    }

    public async Task Purged(string siteId, string roomId, CancellationToken ct) =>
        await store.Delete(siteId, Kind, roomId, null, ct);
}
