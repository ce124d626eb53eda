namespace Zawaroom.Live;

/// <summary>
/// Where an admitted member connects and with which token (the <c>negotiate</c> part of "enter").
/// In-process: this app's hub and a live-room token. Azure SignalR Service: the service's client
/// endpoint and a token signed with its AccessKey (Live/AzureSignalR). The browser code is the same.
/// </summary>
public interface ILiveNegotiation
{
    LiveApi.Negotiate Negotiate(HttpContext http, LiveTicket ticket);
}

/// <summary>The in-process hub of this app, entered with a live-room token.</summary>
public sealed class InProcessNegotiation(LiveTokens tokens) : ILiveNegotiation
{
    public LiveApi.Negotiate Negotiate(HttpContext http, LiveTicket ticket) =>
        new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{LiveApi.HubPath}", tokens.Issue(ticket));
}
