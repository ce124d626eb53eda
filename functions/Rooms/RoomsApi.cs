using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Sites;

namespace Zawaroom.Rooms;

/// <summary>P2, P3, R1 (general): a room's own data, delete to the trash, and the trash.</summary>
public static class RoomsApi
{
    public sealed record RoomView(string Id, string SpaceId, string Name, string Description, IReadOnlyList<string> RoomAdmins)
    {
        public static RoomView Of(Room r) => new(r.Id, r.SpaceId, r.Name, r.Description, r.RoomAdmins);
    }

    public sealed record TrashedRoom(string Id, string SpaceId, string Name, string Description, DateTimeOffset TrashedAt);
    public sealed record RestoreRequest(string? SpaceId);

    public static void MapRooms(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");
        rooms.MapGet("/{id}", async (HttpContext http, string id, RoomDirectory directory, CancellationToken ct) =>
        {
            var room = await directory.Get(http.RequireSite().SiteId, id, ct);
            http.Response.Headers.ETag = room.ETag;
            return RoomView.Of(room.Value);
        }).Allow(Access.Member);
        rooms.MapPatch("/{id}", Patch).Allow(Access.RoomAdmin);
        rooms.MapDelete("/{id}", async (HttpContext http, string id, RoomDirectory directory, CancellationToken ct) =>
        {
            await directory.Trash(http.RequireSite().SiteId, id, ct);
            return Results.NoContent();
        }).Allow(Access.RoomAdmin);

        var trash = api.MapGroup("/trash").WithTags("Rooms");
        trash.MapGet("", async (HttpContext http, RoomDirectory directory, CancellationToken ct) =>
            (await directory.Trashed(http.RequireSite().SiteId, ct))
                .Select(r => new TrashedRoom(r.Id, r.SpaceId, r.Name, r.Description, r.TrashedAt!.Value)).ToList())
            .Allow(Access.SiteAdmin);
        trash.MapPost("/{roomId}/restore", async (HttpContext http, string roomId, RoomDirectory directory, CancellationToken ct) =>
        {
            var spaceId = await OptionalSpaceId(http);
            return RoomView.Of(await directory.Restore(http.RequireSite().SiteId, roomId, spaceId, ct));
        }).Allow(Access.SiteAdmin);
        trash.MapDelete("/{roomId}", async (HttpContext http, string roomId, RoomDirectory directory, CancellationToken ct) =>
        {
            await directory.Purge(http.RequireSite().SiteId, roomId, ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);
        trash.MapDelete("", async (HttpContext http, RoomDirectory directory, CancellationToken ct) =>
        {
            var siteId = http.RequireSite().SiteId;
            foreach (var room in await directory.Trashed(siteId, ct)) await directory.Purge(siteId, room.Id, ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);
    }

    /// <summary>PATCH with If-Match: name, description, spaceId (move), roomAdmins (R1).</summary>
    static async Task<RoomView> Patch(HttpContext http, string id, JsonElement body, RoomDirectory directory,
        MemberDirectory members, CancellationToken ct)
    {
        var site = http.RequireSite();
        var caller = http.Caller();
        var current = await directory.Get(site.SiteId, id, ct);
        var patch = new PatchBody(body);
        var room = current.Value;
        if (patch.Has("name")) room = room with { Name = Names.Require(patch.String("name"), "room") };
        if (patch.Has("description")) room = room with { Description = RoomDirectory.Description(patch.String("description", nullable: true)) };
        if (patch.String("spaceId") is { } spaceId)
        {
            if (!caller.IsSiteAdmin && spaceId != room.SpaceId) throw Problems.Forbidden("Only site administrators move rooms between spaces.");
            await directory.Space(site.SiteId, spaceId, ct);
            room = room with { SpaceId = spaceId };
        }
        if (patch.Has("roomAdmins")) room = room with { RoomAdmins = await RoomAdmins(site.SiteId, body.GetProperty("roomAdmins"), members, ct) };
        patch.RejectUnknown();

        var ifMatch = http.Request.Headers.IfMatch.ToString();
        var saved = await directory.Replace(site.SiteId, room, string.IsNullOrEmpty(ifMatch) ? current.ETag : ifMatch, ct);
        http.Response.Headers.ETag = saved.ETag;
        return RoomView.Of(saved.Value);
    }

    /// <summary>Room admins as a list or as the comma-separated text of the manual; unknown e-mails are refused by name.</summary>
    static async Task<IReadOnlyList<string>> RoomAdmins(string siteId, JsonElement value, MemberDirectory members, CancellationToken ct)
    {
        var emails = value.ValueKind switch
        {
            JsonValueKind.String => Emails.SplitList(value.GetString()),
            JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                value.EnumerateArray().Select(e => Emails.Normalize(e.GetString()!)).Distinct().ToList(),
            _ => throw Problems.Validation("'roomAdmins' must be a list of e-mails or comma-separated text."),
        };
        var roster = await members.GetRoster(siteId, ct);
        var unknown = emails.Where(e => !roster.Emails.Contains(e)).ToList();
        if (unknown.Count > 0)
            throw Problems.Validation("Not registered on this site: " + string.Join(", ", unknown),
                new Dictionary<string, object?> { ["unknownEmails"] = unknown });
        return emails;
    }

    static async Task<string?> OptionalSpaceId(HttpContext http)
    {
        if (http.Request.ContentLength is null or 0 && !http.Request.Headers.TransferEncoding.Any()) return null;
        try
        {
            var body = await JsonSerializer.DeserializeAsync<RestoreRequest>(http.Request.Body, Json.Options, http.RequestAborted);
            return body?.SpaceId;
        }
        catch (JsonException e)
        {
            throw Problems.Validation("The body is not valid JSON: " + e.Message);
        }
    }
}
