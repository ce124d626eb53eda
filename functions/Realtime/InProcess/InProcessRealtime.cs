using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Presence;
using Zawaroom.Sites;

namespace Zawaroom.Realtime.InProcess;

/// <summary>The in-process realtime adapter family: this app's SignalR hub at <see cref="LiveApi.HubPath"/>.</summary>
public static class InProcessRealtime
{
    /// <summary>Its parts; the composition root binds the realtime ports to them when the in-process hub is chosen.</summary>
    public static IServiceCollection AddInProcessRealtime(this IServiceCollection services)
    {
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<HubBroadcaster>();
        services.AddSingleton<InProcessNegotiation>();
        // JSON is the browser's contract (API.md); MessagePack is offered alongside for clients that ask for it
        // (smaller and cheaper to read; its maps use the C# property names, e.g. "Email").
        // SignalR logs every exception a hub method throws as an Error with its stack, refusals included (a
        // client sending 1,000 refused calls a second would write megabytes). The hub answers and logs them itself.
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null,
            "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical, null)));
        services.AddSignalR().AddJsonProtocol(o => Json.Configure(o.PayloadSerializerOptions)).AddMessagePackProtocol();
        // The heartbeat timeout is SignalR's client timeout too (unless Zawaroom:Live:ClientTimeout says otherwise): a tab that
        // stops answering is dropped within it. The presence sweep removes such a tab on its own as well (PresenceSweep).
        services.AddOptions<HubOptions<RoomHub>>().PostConfigure<IOptions<PresenceOptions>, IConfiguration>((hub, presence, configuration) =>
        {
            hub.ClientTimeoutInterval = configuration.GetValue<TimeSpan?>("Zawaroom:Live:ClientTimeout") ?? presence.Value.HeartbeatTimeout;
            hub.KeepAliveInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(15).Ticks, presence.Value.HeartbeatTimeout.Ticks / 2));
        });
        return services;
    }

    /// <summary>
    /// Maps the hub. Its requests (negotiate and the connection) must carry a live-room token of the
    /// addressed site, else 401: a member of another site can neither connect nor receive anything.
    /// </summary>
    public static void MapLiveHub(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments(LiveApi.HubPath)) { await next(http); return; }
            var ticket = await http.RequestServices.GetRequiredService<LiveTokens>().Validate(CallerResolver.HubToken(http));
            if (ticket is null || http.Site()?.SiteId != ticket.SiteId)
            {
                await ProblemHandling.Write(http, Problems.Unauthenticated("Enter the room first: POST /api/rooms/{id}/enter gives the access token."));
                return;
            }
            // A member deleted since the ticket was issued is no longer let in, nor one deleted and added again since.
            var member = await http.RequestServices.GetRequiredService<Members.MemberDirectory>().Find(ticket.SiteId, ticket.Email, http.RequestAborted);
            if (member is null || SignedTokens.IssuedBefore(CallerResolver.HubToken(http)!, member.CreatedAt))
            {
                await ProblemHandling.Write(http, Problems.Unauthenticated("You are no longer a member of this site."));
                return;
            }
            http.Items[LiveApi.TicketKey] = ticket;
            await next(http);
        });
        // MapHub, with the liveness tap in front of the hub (what SignalR receives renews presence: PresenceSweep).
        var options = new HttpConnectionDispatcherOptions { Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling };
        app.MapConnections(LiveApi.HubPath, options, b => b.UseLiveness().UseHub<RoomHub>())
            .WithMetadata(new Microsoft.AspNetCore.SignalR.HubMetadata(typeof(RoomHub)))
            .Allow(Access.LiveTicket);
    }

}

/// <summary>The in-process hub of this app, entered with a live-room token.</summary>
public sealed class InProcessNegotiation(LiveTokens tokens) : ILiveNegotiation
{
    public LiveApi.Negotiate Negotiate(HttpContext http, LiveTicket ticket) =>
        new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{LiveApi.HubPath}", tokens.Issue(ticket));
}
