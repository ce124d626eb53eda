using Zawaroom.Common;
using Zawaroom.Sites;

namespace Zawaroom.Identity;

/// <summary>Who may call an endpoint (U2). Every /api and /operator/api endpoint declares one.</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not (login options, local login, webhooks that prove themselves).</summary>
    Anonymous,
    /// <summary>Any member of the site.</summary>
    Member,
    /// <summary>A site admin, or a room admin of the room named by the route's {id}.</summary>
    RoomAdmin,
    SiteAdmin,
    /// <summary>The platform operator (S5), by the operator key; never a site role.</summary>
    Operator,
    /// <summary>The live-room hub: only a live-room token of this site and room (from "enter"), checked by the hub's own gate.</summary>
    LiveTicket,
}

public sealed record AccessMetadata(Access Level);

/// <summary>Answers "is the caller a room admin of this room?"; the rooms feature provides it.</summary>
public interface IRoomAdminCheck
{
    /// <summary>False when the room does not exist on the site (the filter then answers 404).</summary>
    Task<bool> Exists(string siteId, string roomId, CancellationToken ct);
    Task<bool> IsRoomAdmin(string siteId, string roomId, string email, CancellationToken ct);
}

public static class AccessExtensions
{
    public static TBuilder Allow<TBuilder>(this TBuilder builder, Access level) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessMetadata(level));

    /// <summary>Marks the "/api" group: its endpoints are site-scoped and access-checked.</summary>
    public static RouteGroupBuilder RequireSiteAccess(this RouteGroupBuilder group) => group.WithMetadata(new SiteApiMarker());

    /// <summary>
    /// Checks every site API endpoint before it runs (so before its body is even read): resolve the
    /// site (404), authenticate (401), then the role of U2 (403). An endpoint of the site API that
    /// declares no access is refused: fail closed. Runs after routing, so the endpoint is known.
    /// </summary>
    public static IApplicationBuilder UseSiteAccess(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<SiteApiMarker>() is null)
        {
            await next(http);
            return;
        }
        var level = endpoint.Metadata.GetMetadata<AccessMetadata>()?.Level
            ?? throw Problems.Forbidden("This endpoint declares no access rule.");
        var site = http.RequireSite();
        if (level == Access.Operator) throw Problems.Forbidden();
        if (level != Access.Anonymous)
        {
            var caller = await http.RequestServices.GetRequiredService<CallerResolver>().Resolve(http, site)
                ?? throw Problems.Unauthenticated();
            switch (level)
            {
                case Access.SiteAdmin when !caller.IsSiteAdmin:
                    throw Problems.Forbidden("Only site administrators can do this.");
                case Access.RoomAdmin:
                    var roomId = http.GetRouteValue("id") as string ?? throw Problems.NotFound();
                    var rooms = http.RequestServices.GetRequiredService<IRoomAdminCheck>();
                    if (!await rooms.Exists(site.SiteId, roomId, http.RequestAborted)) throw Problems.NotFound("There is no such room.");
                    if (!caller.IsSiteAdmin && !await rooms.IsRoomAdmin(site.SiteId, roomId, caller.Email, http.RequestAborted))
                        throw Problems.Forbidden("Only site administrators and this room's administrators can do this.");
                    break;
            }
        }
        await next(http);
    });

    sealed record SiteApiMarker;

    /// <summary>The caller of an endpoint that passed the access filter.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Items.TryGetValue("zawaroom.caller", out var c) && c is Caller caller ? caller : throw Problems.Unauthenticated();
}
