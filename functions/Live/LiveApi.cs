using Microsoft.Extensions.Options;
using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Live;

/// <summary>L1, L4: entering a room and the room hub.</summary>
public static class LiveApi
{
    public const string HubPath = "/api/hubs/room";
    public const string TicketKey = "zawaroom.live.ticket";

    public sealed record Negotiate(string Url, string AccessToken);
    public sealed record EnterResponse(Negotiate Negotiate, Snapshot Snapshot, Media.MediaAnswer Media);

    public static IServiceCollection AddLiveRoom(this IServiceCollection services)
    {
        services.AddOptions<LiveOptions>().BindConfiguration("Zawaroom:Live");
        services.AddSingleton(sp => new LiveTokens(
            Path.Combine(Hosting.ZawaroomHost.DataDirectory(sp.GetRequiredService<IConfiguration>()), "live.key"),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<BoardStore>();
        services.AddPlacedImages();
        services.AddSingleton<IRoomLifecycle, BoardCleanup>();
        services.AddSingleton<RoomCommands>();
        services.AddSingleton<LiveSessions>();
        services.AddSingleton<LiveRoom>();
        services.AddSingleton<RoomCalls>();
        services.AddSingleton<LiveMetrics>();
        services.AddSingleton<MoveBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<MoveBatcher>());
        services.AddOptions<ThrottleOptions>().BindConfiguration("Zawaroom:Live:Throttle");
        services.AddSingleton<IRoomLifecycle, RoomSequenceCleanup>();
        services.AddSingleton<ZoomMeetingStatus>();
        services.AddSingleton<ZoomPresence>();
        services.AddSingleton<Members.IMemberLifecycle, MemberRemoval>();
        services.AddSingleton<IEntryPermissionWatcher, EntryRevocation>();
        services.AddSingleton<PresenceSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceSweep>());
        return services;
    }

    public static void MapLive(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{id}/enter", Enter).Allow(Access.Member).WithTags("Live");
        api.MapPost("/negotiate", NegotiateStandard).Allow(Access.Member).WithTags("Live");
        api.MapPost("/rooms/{id}/images", UploadImage).Allow(Access.Member).WithBodyLimit(MaxImageBytes).WithTags("Live");
        api.MapPlacedImages();
        api.MapGet("/rooms/{id}/images/{imageId}", async (HttpContext http, string id, string imageId, IBlobStore blobs, RoomDirectory rooms,
            IRoomLayout layout, CancellationToken ct) =>
        {
            var site = http.RequireSite();
            // An image of a trashed room is gone with it; only someone who may enter the room sees what is placed in it.
            await layout.Require(rooms, site.SiteId, id, http.Caller(), ct);
            var blob = await blobs.Open(ImageBlob(site.SiteId, id, imageId), ct) ?? throw Problems.NotFound("There is no such image.");
            return Results.Stream(blob.Content, blob.Info.ContentType);
        }).Allow(Access.Member).WithTags("Live");
    }

    /// <summary>POST /api/rooms/{id}/enter: the entry check (R3), then the hub's address, a token bound to member and room, and the snapshot.</summary>
    static async Task<EnterResponse> Enter(HttpContext http, string id, RoomDirectory rooms, IRoomLayout layout, ILiveNegotiation negotiation,
        LiveRoom room, Media.MediaBroker media, CancellationToken ct) =>
        new(await Admit(http, id, rooms, layout, negotiation, ct), await room.Snapshot(http.RequireSite().SiteId, id, ct),
            await Media.MediaApi.For(http, id, media, ct));

    /// <summary>
    /// POST /api/negotiate?roomId=: the same admission for a client that negotiates the standard way
    /// (<c>withUrl("/api?roomId=…")</c>): SignalR clients follow the <c>{ url, accessToken }</c> answer to the hub.
    /// </summary>
    static Task<Negotiate> NegotiateStandard(HttpContext http, string? roomId, RoomDirectory rooms, IRoomLayout layout, ILiveNegotiation negotiation,
        CancellationToken ct) =>
        string.IsNullOrEmpty(roomId) ? throw Problems.Validation("Name the room: /api/negotiate?roomId=…") : Admit(http, roomId, rooms, layout, negotiation, ct);

    static async Task<Negotiate> Admit(HttpContext http, string roomId, RoomDirectory rooms, IRoomLayout layout, ILiveNegotiation negotiation, CancellationToken ct)
    {
        var site = http.RequireSite();
        var caller = http.Caller();
        await layout.Require(rooms, site.SiteId, roomId, caller, ct);
        return negotiation.Negotiate(http, new LiveTicket(site.SiteId, roomId, caller.Email, caller.Name));
    }

    public const long MaxImageBytes = 10 * 1024 * 1024;
    static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    internal static string ImageBlob(string siteId, string roomId, string imageId) => $"{RoomDirectory.BlobPrefix(siteId, roomId)}images/{imageId}";

    /// <summary>
    /// L2 "image upload": the image body goes to the blob store, it is placed in the room (R2 placed items,
    /// <see cref="PlacedImages"/>), then the room is told and the usage log gets "register image". Only someone inside the room places images; <c>?cid=</c> makes a retry idempotent.
    /// </summary>
    static async Task<IResult> UploadImage(HttpContext http, string id, string? cid, IBlobStore blobs, IPresenceStore presence,
        LiveSessions sessions, RoomCommands commands, LiveRoom room, PlacedImageStore placed, RoomSettings.RoomSettingsStore mediaWrites,
        TimeProvider clock, CancellationToken ct)
    {
        var site = http.RequireSite();
        var caller = http.Caller();
        var contentType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (!ImageTypes.Contains(contentType))
            throw Problems.Of(415, "file-invalid", "Not an image", "Upload a PNG, JPEG, GIF or WebP image.");
        if (http.Request.ContentLength > MaxImageBytes)
            throw Problems.Of(413, "too-large", "Too large", $"An image has at most {MaxImageBytes / 1024 / 1024} MB.");
        var facts = await sessions.Describe(site.SiteId, id, ct) ?? throw Problems.NotFound("There is no such room.");
        var me = (await presence.InRoom(site.SiteId, id, ct)).FirstOrDefault(r => r.Email == caller.Email)
            ?? throw Problems.Of(409, "not-in-room", "Not in the room", "Enter the room before placing an image in it.");

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        if (body.Length == 0 || body.Length > MaxImageBytes)
            throw Problems.Of(body.Length == 0 ? 400 : 413, body.Length == 0 ? "file-invalid" : "too-large", "Invalid image", "The image is empty or too large.");
        // Judged by what it decodes to, and stored with the type its bytes show, whatever the request said.
        contentType = RoomSettings.MediaCheck.Picture(body.ToArray()).ContentType;
        body.Position = 0;
        var imageId = RoomCommands.ImageId(caller.Email, cid);
        var blob = ImageBlob(site.SiteId, id, imageId);
        var url = $"{http.Request.PathBase}/api/rooms/{id}/images/{imageId}";
        var session = new LiveSession(new LiveTicket(site.SiteId, id, caller.Email, caller.Name), me.ConnectionId,
            facts.RoomName, facts.SpaceId, facts.SpaceName, facts.Geometry);
        // R2: the image lies in the room where its author stands (or the free spot near them the client chose).
        var existing = await placed.Find(site.SiteId, id, imageId, ct);
        var image = existing ?? PlacedImages.Place(imageId, url, me, facts.Geometry, http.Request.Query, clock.GetUtcNow());

        // The blob and the image's document are two stores: the note lets the next start remove a blob a crash left unnamed.
        var note = await mediaWrites.BeginMediaWrite(site.SiteId, id, [blob], ct);
        var saved = existing is not null;
        try
        {
            await blobs.Put(blob, body, contentType, ct);
            await room.Apply(site.SiteId, id, async () =>
            {
                await placed.Save(site.SiteId, id, image, ct);
                saved = true;
                return await commands.RegisterImage(session, image, contentType, body.Length, cid, ct);
            }, ct);
        }
        catch when (!saved)
        {
            // Not placed: the blob goes again and nothing changed (a retry of a placed image keeps its blob).
            await blobs.Delete(blob, CancellationToken.None);
            throw;
        }
        finally
        {
            await mediaWrites.EndMediaWrite(note, CancellationToken.None);
        }
        return Results.Created(url, new { id = imageId, url, image });
    }

    sealed class BoardCleanup(BoardStore boards) : IRoomLifecycle
    {
        public Task Created(string siteId, Room room, CancellationToken ct) => Task.CompletedTask;
        public Task Purged(string siteId, string roomId, CancellationToken ct) => boards.DeleteRoom(siteId, roomId, ct);
    }
}
