using Zawaroom.Blobs;
using Zawaroom.Rooms;
using Zawaroom.Storage;

namespace Zawaroom.RoomSettings;

/// <summary>
/// The settings document of each room, and its media blobs. Made with the defaults when a room is
/// created (<see cref="IRoomLifecycle"/>), removed when it is purged. Blobs live under the room's
/// <see cref="RoomDirectory.BlobPrefix"/>, so a purge removes them with the room.
/// </summary>
public sealed class RoomSettingsStore(IDocumentStore store, IBlobStore blobs, TimeProvider clock, IEnumerable<Live.IEntryPermissionWatcher> watchers,
    IEnumerable<IRoomMediaNames> otherMedia) : IRoomLifecycle
{
    public const string Kind = "roomSettings";
    /// <summary>Platform-wide notes of media writes in progress (<see cref="BeginMediaWrite"/>).</summary>
    public const string UnfinishedWriteKind = "room-media-write";
    static readonly string[] MediaFolders = ["background", "bgm"];

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
        // A save that drops media (a BGM removed) is a media write too: killed between the save and the delete, the
        // dropped blob would be named by nobody, so the note lets the next start remove it.
        var drops = BlobsOf(before).Except(BlobsOf(next), StringComparer.Ordinal).Any();
        var note = drops ? await BeginMediaWrite(siteId, roomId, [], ct) : null;
        var saved = await Write(siteId, roomId, next, ifMatch, ct);
        await DeleteUnused(before, next, CancellationToken.None);
        if (note is not null) await EndMediaWrite(note, CancellationToken.None);
        // R3 holds for the whole stay: whoever the new entry permission leaves out is taken out of the room now.
        foreach (var watcher in watchers) await watcher.EntryChanged(siteId, roomId, ct);
        return saved;
    }

    /// <summary>Writes when <paramref name="ifMatch"/> still matches (else <see cref="ConcurrencyException"/>); the blobs are the caller's business.</summary>
    public Task<Stored<RoomSettingsDocument>> Write(string siteId, string roomId, RoomSettingsDocument next, string ifMatch, CancellationToken ct) =>
        store.Replace(siteId, Kind, roomId, next, ifMatch, ct);

    /// <summary>Blobs the old settings named and the new ones do not.</summary>
    public async Task DeleteUnused(RoomSettingsDocument before, RoomSettingsDocument after, CancellationToken ct)
    {
        var kept = BlobsOf(after).ToHashSet(StringComparer.Ordinal);
        foreach (var blob in BlobsOf(before).Where(b => !kept.Contains(b))) await blobs.Delete(blob, ct);
    }

    /// <summary>
    /// Notes, before any blob is written, which blobs a media write (upload, import) is about to add. The write's
    /// blobs and its settings document are two stores, so a process killed between them would leave blobs nobody
    /// names (the new ones before the settings were saved, the replaced ones after): the note is how the next
    /// start finds and removes them (<see cref="FinishUnfinishedWrites"/>). <see cref="EndMediaWrite"/> drops it.
    /// </summary>
    public async Task<string> BeginMediaWrite(string siteId, string roomId, IReadOnlyList<string> newBlobs, CancellationToken ct)
    {
        var id = $"{siteId}:{roomId}:{Guid.NewGuid():N}";
        await store.Create(Partitions.Platform, UnfinishedWriteKind, id, new UnfinishedMediaWrite(siteId, roomId, newBlobs, clock.GetUtcNow()), ct);
        return id;
    }

    public Task EndMediaWrite(string noteId, CancellationToken ct) => store.Delete(Partitions.Platform, UnfinishedWriteKind, noteId, null, ct);

    /// <summary>
    /// For each media write noted at least <paramref name="grace"/> ago and never ended (its process died): removes
    /// its new blobs the room's settings do not name, and any other blob in the room's media folders nobody names
    /// (what it replaced), keeping the blobs of writes still in progress. Returns how many writes it finished.
    /// </summary>
    public async Task<int> FinishUnfinishedWrites(TimeSpan grace, CancellationToken ct)
    {
        var notes = new List<Stored<UnfinishedMediaWrite>>();
        await foreach (var note in store.List<UnfinishedMediaWrite>(Partitions.Platform, UnfinishedWriteKind, ct)) notes.Add(note);
        var cutoff = clock.GetUtcNow() - grace;
        var inProgress = notes.Where(n => n.Value.StartedAt > cutoff).SelectMany(n => n.Value.Blobs).ToHashSet(StringComparer.Ordinal);
        var finished = 0;
        foreach (var (id, note, _) in notes.Where(n => n.Value.StartedAt <= cutoff))
        {
            var settings = await store.Get<RoomSettingsDocument>(note.SiteId, Kind, note.RoomId, ct);
            var named = settings is null ? [] : BlobsOf(settings.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var other in otherMedia) named.UnionWith(await other.BlobsOf(note.SiteId, note.RoomId, ct));
            foreach (var blob in note.Blobs.Where(b => !named.Contains(b))) await blobs.Delete(blob, ct);
            foreach (var folder in MediaFolders)
            {
                var unnamed = new List<string>();
                await foreach (var blob in blobs.List($"{RoomDirectory.BlobPrefix(note.SiteId, note.RoomId)}{folder}/", ct))
                    if (!named.Contains(blob) && !inProgress.Contains(blob)) unnamed.Add(blob);
                foreach (var blob in unnamed) await blobs.Delete(blob, ct);
            }
            await store.Delete(Partitions.Platform, UnfinishedWriteKind, id, null, ct);
            finished++;
        }
        return finished;
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

/// <summary>A media write in progress: the room and the blobs it is adding (<see cref="RoomSettingsStore.BeginMediaWrite"/>).</summary>
public sealed record UnfinishedMediaWrite(string SiteId, string RoomId, IReadOnlyList<string> Blobs, DateTimeOffset StartedAt);

/// <summary>
/// Media of a room that other features keep (placed images): the blobs their documents name, so that finishing
/// an unfinished media write (<see cref="RoomSettingsStore.FinishUnfinishedWrites"/>) keeps what was saved.
/// </summary>
public interface IRoomMediaNames
{
    Task<IEnumerable<string>> BlobsOf(string siteId, string roomId, CancellationToken ct);
}
