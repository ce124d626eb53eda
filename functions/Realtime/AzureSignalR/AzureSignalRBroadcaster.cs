using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zawaroom.Common;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary>
/// The Azure SignalR Service data-plane REST API, version 2022-06-01 (serverless mode): send to a
/// group / a connection (with excluded connections), add or remove a connection to a group, close a
/// connection. Each request carries a bearer JWT signed with the AccessKey whose <c>aud</c> is the
/// request URL. A typed HttpClient: retries of transient failures come from its resilience handler.
/// </summary>
public sealed class SignalRRestClient(HttpClient http, SignalRConnection connection, ServiceTokens tokens, AzureSignalROptions options)
{
    public const string ApiVersion = "2022-06-01";

    string HubUrl => $"{connection.Base}/api/hubs/{Uri.EscapeDataString(options.Hub)}";

    public Task SendToGroup(string group, string target, object payload, IReadOnlyList<string> excluded, CancellationToken ct) =>
        Send(HttpMethod.Post, $"{HubUrl}/groups/{Uri.EscapeDataString(group)}/:send", Excluding(excluded), Message(target, payload), ct);

    public Task SendToConnection(string connectionId, string target, object payload, CancellationToken ct) =>
        Send(HttpMethod.Post, $"{HubUrl}/connections/{Uri.EscapeDataString(connectionId)}/:send", "", Message(target, payload), ct);

    public Task AddToGroup(string connectionId, string group, CancellationToken ct) =>
        Send(HttpMethod.Put, $"{HubUrl}/groups/{Uri.EscapeDataString(group)}/connections/{Uri.EscapeDataString(connectionId)}", "", null, ct);

    public Task RemoveFromGroup(string connectionId, string group, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"{HubUrl}/groups/{Uri.EscapeDataString(group)}/connections/{Uri.EscapeDataString(connectionId)}", "", null, ct);

    public Task CloseConnection(string connectionId, string reason, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"{HubUrl}/connections/{Uri.EscapeDataString(connectionId)}", $"&reason={Uri.EscapeDataString(reason)}", null, ct);

    static string Excluding(IReadOnlyList<string> excluded) =>
        string.Concat(excluded.Select(id => $"&excluded={Uri.EscapeDataString(id)}"));

    /// <summary>The REST payload: the client method and its one argument, serialised as the hub does (camelCase).</summary>
    static byte[] Message(string target, object payload) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["target"] = target,
        ["arguments"] = new JsonArray(JsonSerializer.SerializeToNode(payload, payload.GetType(), Json.Options)),
    });

    async Task Send(HttpMethod method, string url, string query, byte[]? body, CancellationToken ct)
    {
        var uri = new Uri($"{url}?api-version={ApiVersion}{query}");
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.ForRest(uri));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var response = await http.SendAsync(request, ct);
        // A connection that is already gone (404 on remove/close) is what was asked for.
        if (response.IsSuccessStatusCode || (response.StatusCode == HttpStatusCode.NotFound && method == HttpMethod.Delete)) return;
        var text = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"Azure SignalR Service answered {(int)response.StatusCode} to {method} {uri.AbsolutePath}: {text}",
            null, response.StatusCode);
    }
}

/// <summary>The realtime port on Azure SignalR Service: every push is one REST call; the app holds no connections.</summary>
public sealed class AzureSignalRBroadcaster(SignalRRestClient rest) : IRoomBroadcaster
{
    public Task Send(Audience to, string method, object payload, CancellationToken ct) => to switch
    {
        Audience.Room r => rest.SendToGroup(Groups.Room(r.SiteId, r.RoomId), method, payload, r.Except is null ? [] : [r.Except], ct),
        Audience.Connections c => Task.WhenAll(c.Ids.Distinct().Select(id => rest.SendToConnection(id, method, payload, ct))),
        _ => throw new ArgumentOutOfRangeException(nameof(to)),
    };

    public Task SendToGroup(string group, string method, object payload, CancellationToken ct) => rest.SendToGroup(group, method, payload, [], ct);
    public Task AddToGroup(string connectionId, string group, CancellationToken ct) => rest.AddToGroup(connectionId, group, ct);
    public Task RemoveFromGroup(string connectionId, string group, CancellationToken ct) => rest.RemoveFromGroup(connectionId, group, ct);
    public Task Close(string connectionId, CancellationToken ct) => rest.CloseConnection(connectionId, "left the room", ct);
}

/// <summary>Negotiate on Azure: the service's client URL and a token bound to member, site and room like the local ticket.</summary>
public sealed class AzureSignalRNegotiation(SignalRConnection connection, ServiceTokens tokens, AzureSignalROptions options) : ILiveNegotiation
{
    public const string SiteClaim = "zw_site", RoomClaim = "zw_room", NameClaim = "zw_name";

    public string ClientUrl => $"{connection.Base}/client/?hub={Uri.EscapeDataString(options.Hub)}";

    public LiveApi.Negotiate Negotiate(HttpContext http, LiveTicket ticket) => new(ClientUrl, tokens.ForClient(ClientUrl,
    [
        new("nameid", ticket.Email),
        new(SiteClaim, ticket.SiteId),
        new(RoomClaim, ticket.RoomId),
        // The service hands claims upstream as "type: value, …": the display name may hold ", ", so it travels encoded.
        new(NameClaim, Convert.ToBase64String(Encoding.UTF8.GetBytes(ticket.Name))),
    ]));
}
