namespace Zawaroom.Live;

/// <summary>
/// Where an admitted member connects and with which token (the <c>negotiate</c> part of "enter").
/// In-process: this app's hub and a live-room token. Azure SignalR Service: the service's client
/// endpoint and a token signed with its AccessKey (Realtime/AzureSignalR). The browser code is the same.
/// </summary>
public interface ILiveNegotiation
{
    LiveApi.Negotiate Negotiate(HttpContext http, LiveTicket ticket);
}

/// <summary>
/// The connections this instance holds open itself (in-process hub), so the presence sweep renews
/// those it heard from. With Azure SignalR Service the app holds none: the client's Heartbeat renews.
/// </summary>
public interface IHeldConnections
{
    IEnumerable<LiveSession> Sessions { get; }
    LiveSession? Session(string connectionId);
    DateTimeOffset? LastHeard(string connectionId);
}

/// <summary>An instance that holds no connections (Azure SignalR Service).</summary>
public sealed class NoHeldConnections : IHeldConnections
{
    public IEnumerable<LiveSession> Sessions => [];
    public LiveSession? Session(string connectionId) => null;
    public DateTimeOffset? LastHeard(string connectionId) => null;
}
