using Zawaroom.Identity;
using Zawaroom.Presence;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Spaces;

/// <summary>P1, P4: spaces and the room cards of the room-select screen.</summary>
public static class SpacesApi
{
    public sealed record NameRequest(string? Name);
    public sealed record CreateRoomRequest(string? Name, string? Description);
    public sealed record SpaceView(string Id, string Name, int RoomCount);
    public sealed record RoomCard(string Id, string Name, string Description, int Occupancy, IReadOnlyList<Occupant> People);

    public static void MapSpaces(this RouteGroupBuilder api)
    {
        var spaces = api.MapGroup("/spaces").WithTags("Spaces");
        spaces.MapGet("", async (HttpContext http, RoomDirectory rooms, CancellationToken ct) =>
        {
            var siteId = http.RequireSite().SiteId;
            var all = (await rooms.AllRooms(siteId, ct)).Where(r => r.TrashedAt is null).ToList();
            return (await rooms.Spaces(siteId, ct)).OrderBy(s => s.CreatedAt)
                .Select(s => new SpaceView(s.Id, s.Name, all.Count(r => r.SpaceId == s.Id))).ToList();
        }).Allow(Access.Member);
        spaces.MapPost("", async (HttpContext http, NameRequest body, RoomDirectory rooms, CancellationToken ct) =>
        {
            var space = await rooms.CreateSpace(http.RequireSite().SiteId, body.Name ?? "", ct);
            return Results.Created($"{http.Request.PathBase}/api/spaces/{space.Id}", new SpaceView(space.Id, space.Name, 0));
        }).Allow(Access.SiteAdmin);
        spaces.MapPatch("/{id}", async (HttpContext http, string id, NameRequest body, RoomDirectory rooms, CancellationToken ct) =>
        {
            var siteId = http.RequireSite().SiteId;
            var space = await rooms.RenameSpace(siteId, id, body.Name ?? "", ct);
            return new SpaceView(space.Id, space.Name, (await rooms.RoomsOf(siteId, id, ct)).Count);
        }).Allow(Access.SiteAdmin);
        spaces.MapDelete("/{id}", async (HttpContext http, string id, RoomDirectory rooms, CancellationToken ct) =>
        {
            await rooms.DeleteSpace(http.RequireSite().SiteId, id, ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);

        spaces.MapGet("/{id}/rooms", async (HttpContext http, string id, RoomDirectory rooms, IPresenceReader presence, CancellationToken ct) =>
        {
            var siteId = http.RequireSite().SiteId;
            await rooms.Space(siteId, id, ct);
            var cards = new List<RoomCard>();
            foreach (var room in await rooms.RoomsOf(siteId, id, ct))
            {
                var people = await presence.Occupants(siteId, room.Id, ct);
                cards.Add(new RoomCard(room.Id, room.Name, room.Description, people.Count, people));
            }
            return cards;
        }).Allow(Access.Member);
        spaces.MapPost("/{id}/rooms", async (HttpContext http, string id, CreateRoomRequest body, RoomDirectory rooms, CancellationToken ct) =>
        {
            var room = await rooms.Create(http.RequireSite().SiteId, id, body.Name ?? "", body.Description, ct);
            return Results.Created($"{http.Request.PathBase}/api/rooms/{room.Id}", RoomsApi.RoomView.Of(room));
        }).Allow(Access.SiteAdmin);
    }
}
