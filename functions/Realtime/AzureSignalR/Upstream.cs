using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Presence;

using Zawaroom.Live;

namespace Zawaroom.Realtime.AzureSignalR;

/// <summary>
/// The upstream endpoint Azure SignalR Service (serverless mode) calls with the room hub's
/// connection events and client invocations (<c>infra/main.bicep</c>: <c>signalRUpstreamPath</c>).
/// It is authenticated by <c>X-ASRS-Signature</c>, not by a site role: a forged call is 401 and does
/// nothing. Every call runs the same <see cref="RoomCommands"/> / <see cref="LiveRoom"/> path as the
/// in-process hub, so the browser code is the same in both modes.
/// </summary>
public static class UpstreamApi
{
    public const string Route = "/api/realtime/upstream/{hub}/{category}/{event}";

    public static void MapAzureSignalRUpstream(this WebApplication app) =>
        // Open by design (RouteTableWalkTests): the signature of the service is the authentication.
        app.MapPost(Route, (HttpContext http, CancellationToken ct) =>
                http.RequestServices.GetRequiredService<UpstreamHandler>().Handle(http, ct))
            .Allow(Access.Anonymous).ExcludeFromDescription().DisableAntiforgery();
}

/// <summary>
/// One upstream call: check the signature, rebuild the connection's session, hand it to
/// <see cref="RoomCalls"/> (the path the in-process hub takes too), answer per the upstream protocol.
/// Invocations come in the JSON hub protocol (<c>application/json</c>, with or without the 0x1e
/// terminator) or MessagePack (<c>application/x-msgpack</c>, length-prefixed); the completion goes back
/// framed in the same protocol.
/// </summary>
public sealed class UpstreamHandler(IServiceProvider services, RoomCalls calls, LiveSessions sessions, IPresenceStore presence,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.SignalR.JsonHubProtocolOptions> jsonOptions, TimeProvider clock,
    ILogger<UpstreamHandler> logger)
{
    const byte RecordSeparator = 0x1e;
    public const string MessagePackType = "application/x-msgpack";
    static readonly TimeSpan FactsLifetime = TimeSpan.FromSeconds(15);

    /// <summary>Room names and geometry, read once per room every few seconds instead of on every invocation.</summary>
    readonly ConcurrentDictionary<(string Site, string Room), (LiveSessions.RoomFacts? Facts, DateTimeOffset Until)> _facts = new();
    readonly IHubProtocol _json = new JsonHubProtocol(jsonOptions);
    readonly IHubProtocol _messagePack = new MessagePackHubProtocol();

    bool Configured => services.GetService<AzureSignalRSelection>()?.Enabled == true;

    public async Task<IResult> Handle(HttpContext http, CancellationToken ct)
    {
        if (!Configured) throw Problems.NotFound("Azure SignalR Service is not configured on this app.");
        var connection = services.GetRequiredService<SignalRConnection>();
        var options = services.GetRequiredService<AzureSignalROptions>();
        var headers = http.Request.Headers;
        var connectionId = headers["X-ASRS-Connection-Id"].ToString();
        if (!ServiceTokens.SignatureMatches(connection.AccessKey, connectionId, headers["X-ASRS-Signature"].ToString()))
        {
            logger.LogWarning("An upstream call with a missing or wrong X-ASRS-Signature was refused.");
            throw Problems.Unauthenticated("The upstream call does not carry a valid X-ASRS-Signature.");
        }
        if (!string.Equals(headers["X-ASRS-Hub"].ToString(), options.Hub, StringComparison.OrdinalIgnoreCase))
            throw Problems.NotFound("There is no such hub.");

        var claims = ParseClaims(headers["X-ASRS-User-Claims"].ToString());
        var ticket = TicketOf(claims, headers["X-ASRS-User-Id"].ToString());
        var category = headers["X-ASRS-Category"].ToString();
        var @event = headers["X-ASRS-Event"].ToString();
        var protocol = IsMessagePack(http.Request.ContentType) ? _messagePack : _json;
        if (ticket is null)
        {
            // Not a connection of ours (no live-room claims): nothing it says can be applied.
            logger.LogWarning("Upstream {Category}/{Event} of connection {ConnectionId} carries no live-room claims.", category, @event, connectionId);
            return category == "messages"
                ? Completion(protocol, await ReadInvocation(http, protocol, ct), "unauthorized: This connection has no live-room ticket.")
                : Results.Ok();
        }

        switch (category, @event)
        {
            case ("connections", "connected"):
                await Connected(ticket, connectionId, ct);
                return Results.Ok();
            case ("connections", "disconnected"):
                // The service says why a connection ended when it ended with an error (a client that vanished, a timeout).
                if (await DisconnectError(http, ct) is { } error)
                    logger.LogInformation("Connection {ConnectionId} of {Email} ended with an error: {Error}", connectionId, ticket.Email, error);
                if (await Session(ticket, connectionId, ct) is { } gone) await calls.Disconnect(gone);
                return Results.Ok();
            case ("messages", _):
                var invocation = await ReadInvocation(http, protocol, ct);
                try
                {
                    await Invoke(ticket, connectionId, invocation.Target ?? @event, invocation, ct);
                    return Completion(protocol, invocation, null);
                }
                catch (ProblemException p)
                {
                    return Completion(protocol, invocation, $"{p.Code}: {p.Message}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // As the hub does: the client learns that it failed, not why.
                    logger.LogError(e, "Upstream invocation {Target} of connection {ConnectionId} failed.", invocation.Target ?? @event, connectionId);
                    return Completion(protocol, invocation, "error: The command failed; try again.");
                }
            default:
                throw Problems.Validation($"Unknown upstream category/event '{category}/{@event}'.");
        }
    }

    static bool IsMessagePack(string? contentType) =>
        contentType?.Split(';')[0].Trim().Equals(MessagePackType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Same routine as the hub's connect (<see cref="RoomCalls.Connect"/>); a refused connection is closed through the REST API.</summary>
    async Task Connected(LiveTicket ticket, string connectionId, CancellationToken ct)
    {
        var session = await Session(ticket, connectionId, ct);
        if (session is null || !await calls.Connect(session, ct))
        {
            if (session is null) logger.LogInformation("Connection {ConnectionId} of {Email} refused: the room is gone.", connectionId, ticket.Email);
            await services.GetRequiredService<IRoomBroadcaster>().Close(connectionId, ct);
            return;
        }
        // What the hub keeps in memory (the zones it watches) goes where any instance reads it.
        await Save(session, ct);
    }

    /// <summary>The hub methods (API.md "Live room"), from the one table in <see cref="RoomCalls"/>.</summary>
    async Task Invoke(LiveTicket ticket, string connectionId, string target, Invocation invocation, CancellationToken ct)
    {
        if (invocation.Error is { } error) throw Problems.Validation($"{target}: {error}");
        var s = await Session(ticket, connectionId, ct) ?? throw Problems.Of(410, "not-in-room", "Not in the room", "The room is gone; enter again.");
        // Without a presence record the connection is out of the room: RoomCalls answers as for any connection that left.
        if (await presence.Get(s.SiteId, connectionId, ct) is { } me) Restore(s, me);
        else s.HasLeft = true;
        await calls.Invoke(s, target, invocation.Argument, ct);
        if (RoomCalls.Methods.TryGetValue(target, out var method) && method.ChangesView) await Save(s, ct);
    }

    async Task<LiveSession?> Session(LiveTicket ticket, string connectionId, CancellationToken ct)
    {
        var key = (ticket.SiteId, ticket.RoomId);
        var now = clock.GetUtcNow();
        if (!_facts.TryGetValue(key, out var cached) || cached.Until <= now)
            _facts[key] = cached = (await sessions.Describe(ticket.SiteId, ticket.RoomId, ct), now + FactsLifetime);
        return cached.Facts is { } f ? new LiveSession(ticket, connectionId, f.RoomName, f.SpaceId, f.SpaceName, f.Geometry) : null;
    }

    /// <summary>What the in-process hub keeps in memory per connection comes from the presence record here.</summary>
    static void Restore(LiveSession s, PresenceRecord me)
    {
        if (me.Session is not { } state) return;
        if (state.Viewport is { } v) s.Viewport = new Area(v.X, v.Y, v.Width, v.Height);
        if (state.VoiceReach is { } reach) s.VoiceReach = reach;
        foreach (var z in state.Zones) s.Zones.Add((z.Column, z.Row));
    }

    Task Save(LiveSession s, CancellationToken ct)
    {
        var state = new SessionState(s.Viewport is { } v ? new ViewRect(v.X, v.Y, v.Width, v.Height) : null, s.VoiceReach,
            s.Zones.OrderBy(z => z.Column).ThenBy(z => z.Row).Select(z => new ZoneRef(z.Column, z.Row)).ToList());
        return presence.Update(s.SiteId, s.ConnectionId, r => r with { Session = state }, ct);
    }

    /// <summary>
    /// <c>X-ASRS-User-Claims</c> as the service sends it: "type: value, type: value", each pair split at
    /// its first ": " (a claim type may itself hold ':', e.g. a schema URI). Values of ours never hold ", "
    /// (the display name travels base64-encoded).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseClaims(string? header)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return claims;
        foreach (var pair in header.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            var split = pair.IndexOf(": ", StringComparison.Ordinal);
            if (split <= 0) continue;
            claims.TryAdd(pair[..split].Trim(), pair[(split + 2)..].Trim());
        }
        return claims;
    }

    /// <summary>The live ticket the negotiate token carried: site, room, member (the service's user id is the token's nameid).</summary>
    static LiveTicket? TicketOf(IReadOnlyDictionary<string, string> claims, string? userId)
    {
        var email = !string.IsNullOrEmpty(userId) ? userId : claims.GetValueOrDefault("nameid");
        if (!claims.TryGetValue(AzureSignalRNegotiation.SiteClaim, out var site) || !claims.TryGetValue(AzureSignalRNegotiation.RoomClaim, out var roomId)
            || string.IsNullOrEmpty(email) || string.IsNullOrEmpty(site) || string.IsNullOrEmpty(roomId))
            return null;
        var name = email;
        if (claims.TryGetValue(AzureSignalRNegotiation.NameClaim, out var encoded))
        {
            try { name = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException) { }
        }
        return new LiveTicket(site, roomId, email, name);
    }

    /// <summary>An invocation as parsed: its argument bound to the method's type from the table, or why it could not be.</summary>
    public sealed record Invocation(string? InvocationId, string? Target, object? Argument, string? Error = null);

    /// <summary>Binds arguments by the one method table: what the in-process hub's method signatures say too.</summary>
    sealed class TableBinder : IInvocationBinder
    {
        public static readonly TableBinder Instance = new();
        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            RoomCalls.Methods.TryGetValue(methodName, out var m) ? [m.Argument] : throw new InvalidOperationException($"The room hub has no method '{methodName}'.");
        public Type GetReturnType(string invocationId) => typeof(object);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }

    /// <summary>The body is one invocation message of the hub protocol: JSON (the 0x1e terminator optional) or length-prefixed MessagePack.</summary>
    static async Task<Invocation> ReadInvocation(HttpContext http, IHubProtocol protocol, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        if (protocol is JsonHubProtocol)
        {
            var end = bytes.Length;
            while (end > 0 && bytes[end - 1] is RecordSeparator or (byte)'\n' or (byte)'\r' or (byte)' ') end--;
            if (end == 0) return new Invocation(null, null, null);
            bytes = [.. bytes.AsSpan(0, end), RecordSeparator];
        }
        else if (bytes.Length == 0) return new Invocation(null, null, null);
        var sequence = new ReadOnlySequence<byte>(bytes);
        HubMessage? message;
        try
        {
            if (!protocol.TryParseMessage(ref sequence, TableBinder.Instance, out message)) message = null;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException or MessagePack.MessagePackSerializationException)
        {
            throw Problems.Validation("The upstream body is not a hub protocol invocation.");
        }
        return message switch
        {
            InvocationMessage i => new Invocation(i.InvocationId, i.Target, i.Arguments.Length > 0 ? i.Arguments[0] : null),
            // A method whose argument may be left out, called without one (or with {}), still runs.
            InvocationBindingFailureMessage f when RoomCalls.Methods.TryGetValue(f.Target, out var m) && m.ArgumentOptional =>
                new Invocation(f.InvocationId, f.Target, null),
            InvocationBindingFailureMessage f when RoomCalls.Methods.ContainsKey(f.Target) =>
                new Invocation(f.InvocationId, f.Target, null, "The invocation's argument is not what the method takes."),
            // An unknown method: the table refuses it by name.
            InvocationBindingFailureMessage f => new Invocation(f.InvocationId, f.Target, null),
            _ => throw Problems.Validation("The upstream body is not a hub protocol invocation."),
        };
    }

    /// <summary>The <c>disconnected</c> event's body: <c>{"error": "…"}</c> when the connection ended with one.</summary>
    static async Task<string?> DisconnectError(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength == 0) return null;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0 || buffer.Length > 64 * 1024) return null;
        try
        {
            using var json = JsonDocument.Parse(buffer.ToArray());
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("error", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } e
                && e.GetString() is { Length: > 0 } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The answer to an invocation: with an invocation id, a completion message framed in the caller's
    /// protocol, carrying the error text "&lt;code&gt;: &lt;text&gt;" when the command was refused; without one, nothing.
    /// </summary>
    static IResult Completion(IHubProtocol protocol, Invocation invocation, string? error)
    {
        if (invocation.InvocationId is null) return Results.Ok();
        var message = error is null ? CompletionMessage.Empty(invocation.InvocationId) : CompletionMessage.WithError(invocation.InvocationId, error);
        var bytes = protocol.GetMessageBytes(message);
        return Results.Bytes(bytes.ToArray(), protocol is JsonHubProtocol ? "application/json" : MessagePackType);
    }
}
