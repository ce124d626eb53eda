using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Rooms;
using Zawaroom.Sites;

namespace Zawaroom.Media;

/// <summary>L3 media: TURN credentials and SFU passes (the <c>media</c> of POST /enter, and a fresh set on request).</summary>
public static class MediaApi
{
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration("Zawaroom:Media");
        // ISfu (Janus) is bound by the composition root.
        services.AddSingleton<MediaBroker>();
        services.AddSingleton<MediaReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaReconciler>());
        return services;
    }

    public static void MapMedia(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{id}/media", Refresh).Allow(Access.Member).WithTags("Live")
            .WithSummary("A fresh media answer (ICE servers, SFU pass) for the caller in this room; the browser asks before the old one expires and when its group changes.");
    }

    /// <summary>The entry check as on enter, then the caller's media answer now.</summary>
    static async Task<MediaAnswer> Refresh(HttpContext http, string id, RoomDirectory rooms, IRoomLayout layout, MediaBroker broker, CancellationToken ct)
    {
        var site = http.RequireSite();
        var caller = http.Caller();
        await layout.Require(rooms, site.SiteId, id, caller, ct);
        return await For(http, id, broker, ct);
    }

    /// <summary>The caller's media answer in a room (used by POST /enter after its entry check).</summary>
    public static Task<MediaAnswer> For(HttpContext http, string roomId, MediaBroker broker, CancellationToken ct)
    {
        var site = http.RequireSite();
        return broker.For(site.SiteId, roomId, http.Caller().Email, site.Site.DefaultMediaServerUrl, ct);
    }
}
