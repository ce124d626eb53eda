using System.Globalization;
using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Rooms;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.Live;

/// <summary>
/// R2 "placed items": an uploaded image lies on the room's canvas like a sticky note, at
/// (<c>x</c>, <c>y</c>) (its centre), <c>width</c> x <c>height</c> background pixels. Part of the
/// snapshot; not part of the room's settings, so not of the <c>.zawa</c> file.
/// </summary>
public sealed record PlacedImage(string Id, string Url, double X, double Y, double Width, double Height, string Author, DateTimeOffset UpdatedAt);

/// <summary>A room's placed images, one document each (like boards), keyed by room.</summary>
public sealed class PlacedImageStore(IDocumentStore store)
{
    public const string Kind = "placedImage";

    static string Key(string roomId, string imageId) => $"{roomId}.{imageId}";

    public async Task<List<PlacedImage>> InRoom(string siteId, string roomId, CancellationToken ct)
    {
        var images = new List<PlacedImage>();
        await foreach (var doc in store.List<PlacedImage>(siteId, Kind, ct))
            if (doc.Id.StartsWith(roomId + ".", StringComparison.Ordinal)) images.Add(doc.Value);
        return [.. images.OrderBy(i => i.UpdatedAt)];
    }

    public async Task<PlacedImage?> Find(string siteId, string roomId, string imageId, CancellationToken ct) =>
        (await store.Get<PlacedImage>(siteId, Kind, Key(roomId, imageId), ct))?.Value;

    public Task Save(string siteId, string roomId, PlacedImage image, CancellationToken ct) =>
        store.Replace(siteId, Kind, Key(roomId, image.Id), image, null, ct);

    public Task Delete(string siteId, string roomId, string imageId, CancellationToken ct) =>
        store.Delete(siteId, Kind, Key(roomId, imageId), null, ct);

    public async Task DeleteRoom(string siteId, string roomId, CancellationToken ct)
    {
        foreach (var image in await InRoom(siteId, roomId, ct)) await Delete(siteId, roomId, image.Id, ct);
    }

    /// <summary>A purged room takes its placed images along (their blobs go with the room's blob folder).</summary>
    public sealed class Cleanup(PlacedImageStore images) : IRoomLifecycle
    {
        public Task Created(string siteId, Room room, CancellationToken ct) => Task.CompletedTask;
        public Task Purged(string siteId, string roomId, CancellationToken ct) => images.DeleteRoom(siteId, roomId, ct);
    }

    /// <summary>The blobs of the room's placed images, kept when an upload cut short by a crash is finished.</summary>
    public sealed class MediaNames(PlacedImageStore images) : RoomSettings.IRoomMediaNames
    {
        public async Task<IEnumerable<string>> BlobsOf(string siteId, string roomId, CancellationToken ct) =>
            (await images.InRoom(siteId, roomId, ct)).Select(i => LiveApi.ImageBlob(siteId, roomId, i.Id));
    }
}

/// <summary>
/// Placing, moving and removing images (R2). Placing happens with the upload (LiveApi); moving and
/// removing are for the image's author or a room admin (site admins included). Moves and removals
/// are pushed to the room (in L4 order) but not logged: the log's operation is "register image".
/// </summary>
public static class PlacedImages
{
    public const string MoveImage = "move image";
    public const string RemoveImage = "remove image";
    /// <summary>The longer side of a placed image, in background pixels, before the canvas enlarges it for reading.</summary>
    public const double MaxSide = 240;

    public sealed record MoveBody(double? X, double? Y);

    public static IServiceCollection AddPlacedImages(this IServiceCollection services)
    {
        services.AddSingleton<PlacedImageStore>();
        services.AddSingleton<IRoomLifecycle, PlacedImageStore.Cleanup>();
        services.AddSingleton<RoomSettings.IRoomMediaNames, PlacedImageStore.MediaNames>();
        return services;
    }

    public static void MapPlacedImages(this RouteGroupBuilder api)
    {
        api.MapPatch("/rooms/{id}/images/{imageId}", Move).Allow(Access.Member).WithTags("Live");
        api.MapDelete("/rooms/{id}/images/{imageId}", Remove).Allow(Access.Member).WithTags("Live");
    }

    /// <summary>
    /// Where an uploaded image lies: the spot the client chose near its author (<c>?x=&amp;y=</c>), else
    /// where the author stands; the size keeps the image's proportions (<c>?w=&amp;h=</c>, its pixels).
    /// </summary>
    public static PlacedImage Place(string id, string url, PresenceRecord author, RoomGeometry geometry, IQueryCollection query, DateTimeOffset now)
    {
        static double? Number(IQueryCollection q, string name) =>
            double.TryParse(q[name].ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
        var (w, h) = (Number(query, "w") is { } pw and > 0 ? pw : 4, Number(query, "h") is { } ph and > 0 ? ph : 3);
        var k = MaxSide / Math.Max(w, h);
        var (width, height) = (Math.Max(24, Math.Round(w * k)), Math.Max(24, Math.Round(h * k)));
        var at = geometry.Clamp(Number(query, "x") ?? author.X, Number(query, "y") ?? author.Y);
        return new PlacedImage(id, url, at.X, at.Y, width, height, author.Email, now);
    }

    static async Task<PlacedImage> Move(HttpContext http, string id, string imageId, MoveBody body, PlacedImageStore images,
        IRoomLayout layout, LiveRoom room, TimeProvider clock, IRoomAdminCheck admins, CancellationToken ct)
    {
        if (body.X is not { } x || body.Y is not { } y || !double.IsFinite(x) || !double.IsFinite(y))
            throw Problems.Validation("Give the image's new centre as finite numbers x and y.");
        var site = http.RequireSite();
        var geometry = await layout.Geometry(site.SiteId, id, ct);
        PlacedImage? moved = null;
        await room.Apply(site.SiteId, id, async () =>
        {
            var image = await Editable(http, site.SiteId, id, imageId, images, admins, ct);
            var at = geometry.Clamp(x, y);
            moved = image with { X = at.X, Y = at.Y, UpdatedAt = clock.GetUtcNow() };
            await images.Save(site.SiteId, id, moved, ct);
            return Pushed(site.SiteId, id, http.Caller(), MoveImage, new() { ["imageId"] = imageId, ["image"] = moved });
        }, ct);
        return moved!;
    }

    static async Task<IResult> Remove(HttpContext http, string id, string imageId, PlacedImageStore images, IBlobStore blobs,
        LiveRoom room, IRoomAdminCheck admins, CancellationToken ct)
    {
        var site = http.RequireSite();
        await room.Apply(site.SiteId, id, async () =>
        {
            await Editable(http, site.SiteId, id, imageId, images, admins, ct);
            await images.Delete(site.SiteId, id, imageId, ct);
            await blobs.Delete(LiveApi.ImageBlob(site.SiteId, id, imageId), ct);
            return Pushed(site.SiteId, id, http.Caller(), RemoveImage, new() { ["imageId"] = imageId });
        }, ct);
        return Results.NoContent();
    }

    /// <summary>The image, when the caller may change it: its author, a site admin, or a room admin of this room.</summary>
    static async Task<PlacedImage> Editable(HttpContext http, string siteId, string roomId, string imageId, PlacedImageStore images,
        IRoomAdminCheck admins, CancellationToken ct)
    {
        var image = await images.Find(siteId, roomId, imageId, ct) ?? throw Problems.NotFound("There is no such image in this room.");
        var caller = http.Caller();
        if (image.Author != caller.Email && !caller.IsSiteAdmin && !await admins.IsRoomAdmin(siteId, roomId, caller.Email, ct))
            throw Problems.Forbidden("Only the image's author and this room's administrators can move or remove it.");
        return image;
    }

    static Outcome Pushed(string siteId, string roomId, Caller caller, string type, Dictionary<string, object?> details)
    {
        var payload = new Dictionary<string, object?> { ["type"] = type, ["email"] = caller.Email, ["name"] = caller.Name };
        foreach (var (k, v) in details) payload[k] = v;
        return new Outcome([], [new Push(new Audience.Room(siteId, roomId), ClientMethods.Event, payload)]);
    }
}
