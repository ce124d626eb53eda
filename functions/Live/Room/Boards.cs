using Zawaroom.Storage;

namespace Zawaroom.Live;

/// <summary>A sticky note or signboard placed in a room (L2); part of the snapshot.</summary>
public sealed record Board(string Id, string Kind, string Text, double X, double Y, string Author, DateTimeOffset UpdatedAt);

/// <summary>Boards are documents of the site, one per board, keyed by room so a room's are listed together.</summary>
public sealed class BoardStore(IDocumentStore store)
{
    public const string Kind = "board";

    static string Key(string roomId, string boardId) => $"{roomId}.{boardId}";

    public async Task<List<Board>> InRoom(string siteId, string roomId, CancellationToken ct)
    {
        var boards = new List<Board>();
        await foreach (var doc in store.List<Board>(siteId, Kind, ct))
            if (doc.Id.StartsWith(roomId + ".", StringComparison.Ordinal)) boards.Add(doc.Value);
        return boards;
    }

    public async Task<Board?> Find(string siteId, string roomId, string boardId, CancellationToken ct) =>
        (await store.Get<Board>(siteId, Kind, Key(roomId, boardId), ct))?.Value;

    public Task Save(string siteId, string roomId, Board board, CancellationToken ct) =>
        store.Replace(siteId, Kind, Key(roomId, board.Id), board, null, ct);

    public async Task DeleteRoom(string siteId, string roomId, CancellationToken ct)
    {
        foreach (var board in await InRoom(siteId, roomId, ct)) await store.Delete(siteId, Kind, Key(roomId, board.Id), null, ct);
    }
}
