using System.Collections.Concurrent;
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

/// <summary>One upstream call: check the signature, rebuild the connection's session, run the command, answer per the upstream protocol.</summary>
public sealed class UpstreamHandler(IServiceProvider services, RoomCommands commands, LiveRoom room,
    LiveSessions sessions, IPresenceStore presence, TimeProvider clock, ILogger<UpstreamHandler> logger)
{
    const byte RecordSeparator = 0x1e;
    static readonly TimeSpan FactsLifetime = TimeSpan.FromSeconds(15);

    /// <summary>Room names and geometry, read once per room every few seconds instead of on every invocation.</summary>
    readonly ConcurrentDictionary<(string Site, string Room), (LiveSessions.RoomFacts? Facts, DateTimeOffset Until)> _facts = new();

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
        if (ticket is null)
        {
            // Not a connection of ours (no live-room claims): nothing it says can be applied.
            logger.LogWarning("Upstream {Category}/{Event} of connection {ConnectionId} carries no live-room claims.", category, @event, connectionId);
            return category == "messages" ? Completion(await ReadInvocation(http, ct), "unauthorized: This connection has no live-room ticket.") : Results.Ok();
        }

        switch (category, @event)
        {
            case ("connections", "connected"):
                await Connected(ticket, connectionId, ct);
                return Results.Ok();
            case ("connections", "disconnected"):
                if (await Session(ticket, connectionId, ct) is { } gone)
                {
                    room.Forget(gone);
                    await room.Apply(gone.SiteId, gone.RoomId, () => commands.Leave(gone, CancellationToken.None), CancellationToken.None);
                }
                return Results.Ok();
            case ("messages", _):
                var invocation = await ReadInvocation(http, ct);
                try
                {
                    await Invoke(ticket, connectionId, invocation.Target ?? @event, invocation.Argument, ct);
                    return Completion(invocation, null);
                }
                catch (ProblemException p)
                {
                    return Completion(invocation, $"{p.Code}: {p.Message}");
                }
                catch (JsonException)
                {
                    return Completion(invocation, "validation: The invocation's argument is not what the method takes.");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // As the hub does: the client learns that it failed, not why.
                    logger.LogError(e, "Upstream invocation {Target} of connection {ConnectionId} failed.", invocation.Target ?? @event, connectionId);
                    return Completion(invocation, "error: The command failed; try again.");
                }
            default:
                throw Problems.Validation($"Unknown upstream category/event '{category}/{@event}'.");
        }
    }

    /// <summary>Same as the hub's OnConnectedAsync: room group, presence, zones, "entered" to the room, snapshot to the connection.</summary>
    async Task Connected(LiveTicket ticket, string connectionId, CancellationToken ct)
    {
        var broadcaster = services.GetRequiredService<IRoomBroadcaster>();
        var session = await Session(ticket, connectionId, ct);
        // The room is gone, or the member was deleted, since the token was issued: the connection is not let in.
        if (session is null || await services.GetRequiredService<Members.MemberDirectory>().Find(ticket.SiteId, ticket.Email, ct) is null)
        {
            logger.LogInformation("Connection {ConnectionId} of {Email} refused: room or member gone.", connectionId, ticket.Email);
            await broadcaster.Close(connectionId, ct);
            return;
        }
        try
        {
            await room.Join(session, ct);
            // What the hub keeps in memory (the zones it watches) goes where any instance reads it.
            await Save(session, ct);
        }
        catch
        {
            await room.Apply(session.SiteId, session.RoomId, () => commands.Leave(session, CancellationToken.None), CancellationToken.None);
            throw;
        }
    }

    /// <summary>The hub methods (API.md "Live room"), each the same command as in <c>RoomHub</c>.</summary>
    async Task Invoke(LiveTicket ticket, string connectionId, string target, JsonElement argument, CancellationToken ct)
    {
        var s = await Session(ticket, connectionId, ct) ?? throw Problems.Of(410, "not-in-room", "Not in the room", "The room is gone; enter again.");
        var me = await presence.Get(s.SiteId, connectionId, ct);
        if (me is null)
        {
            if (target == "Leave") return; // already out: leaving again is a no-op
            throw Problems.Of(410, "not-in-room", "Not in the room", "This connection is no longer in the room; enter again.");
        }
        Restore(s, me);
        T Arg<T>() => argument.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            ? throw Problems.Validation($"{target} takes one object argument.")
            : argument.Deserialize<T>(Json.Options) ?? throw Problems.Validation($"{target} takes one object argument.");

        switch (target)
        {
            case "Move": await room.Apply(s.SiteId, s.RoomId, () => commands.Move(s, Arg<MoveCommand>(), ct), ct); break;
            case "SetStatus": await room.Apply(s.SiteId, s.RoomId, () => commands.SetStatus(s, Arg<SetStatusCommand>(), ct), ct); break;
            case "Knock": await room.Apply(s.SiteId, s.RoomId, () => commands.Knock(s, Arg<KnockCommand>(), ct), ct); break;
            case "Focus": await room.Apply(s.SiteId, s.RoomId, () => commands.Focus(s, Arg<FocusCommand>(), ct), ct); break;
            case "Message": await room.Apply(s.SiteId, s.RoomId, () => commands.Message(s, Arg<MessageCommand>(), ct), ct); break;
            case "Board": await room.Apply(s.SiteId, s.RoomId, () => commands.Board(s, Arg<BoardCommand>(), ct), ct); break;
            case "Mute": await room.Apply(s.SiteId, s.RoomId, () => commands.Mute(s, Arg<MuteCommand>(), ct), ct); break;
            case "RingBell": await room.Apply(s.SiteId, s.RoomId, () => commands.RingBell(s, Arg<RingBellCommand>(), ct), ct); break;
            case "ShareScreen": await room.Apply(s.SiteId, s.RoomId, () => commands.ShareScreen(s, Arg<ShareScreenCommand>(), ct), ct); break;
            case "Signal": await room.Apply(s.SiteId, s.RoomId, () => commands.Signal(s, Arg<SignalCommand>(), ct), ct); break;
            case "Viewport":
                await room.Listen(s, await commands.Viewport(s, Arg<ViewportCommand>(), ct), ct);
                await Save(s, ct);
                break;
            case "VoiceArea":
                await room.Apply(s.SiteId, s.RoomId, () => commands.VoiceArea(s, Arg<VoiceAreaCommand>(), ct), ct);
                await room.Listen(s, await commands.ZonesFor(s, ct), ct);
                await Save(s, ct);
                break;
            case "Heartbeat":
                // Serverless: the app holds no connections, so the client's heartbeat is what keeps its presence alive.
                await presence.Heartbeat(s.SiteId, [connectionId], clock.GetUtcNow(), ct);
                break;
            case "Resync":
                await room.Resync(s, ct);
                break;
            case "Leave":
                await room.Leave(s, ct);
                break;
            default:
                throw Problems.Of(400, "unknown-method", "Unknown method", $"The room hub has no method '{target}'.");
        }
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
    /// <c>X-ASRS-User-Claims</c> as the service sends it: "type: value, type: value". Values of ours never
    /// hold ", " (the display name travels base64-encoded).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseClaims(string? header)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return claims;
        foreach (var pair in header.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':');
            if (colon <= 0) continue;
            claims.TryAdd(pair[..colon].Trim(), pair[(colon + 1)..].Trim());
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

    public sealed record Invocation(string? InvocationId, string? Target, JsonElement Argument);

    /// <summary>The body is the client's invocation message in the JSON hub protocol (a trailing record separator allowed).</summary>
    static async Task<Invocation> ReadInvocation(HttpContext http, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray().AsSpan();
        while (bytes.Length > 0 && bytes[^1] is RecordSeparator or (byte)'\n' or (byte)'\r' or (byte)' ') bytes = bytes[..^1];
        if (bytes.IsEmpty) return new Invocation(null, null, default);
        try
        {
            using var json = JsonDocument.Parse(bytes.ToArray());
            var root = json.RootElement;
            string? Text(string name) =>
                root.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v
                    ? v.GetString() : null;
            var arguments = root.EnumerateObject().FirstOrDefault(p => p.Name.Equals("arguments", StringComparison.OrdinalIgnoreCase)).Value;
            var first = arguments.ValueKind == JsonValueKind.Array && arguments.GetArrayLength() > 0 ? arguments[0].Clone() : default;
            return new Invocation(Text("invocationId"), Text("target"), first);
        }
        catch (JsonException)
        {
            throw Problems.Validation("The upstream body is not a JSON hub protocol invocation.");
        }
    }

    /// <summary>
    /// The answer to an invocation: with an invocation id, a completion message (type 3) in the JSON hub
    /// protocol, carrying the error text "&lt;code&gt;: &lt;text&gt;" when the command was refused; without one, nothing.
    /// </summary>
    static IResult Completion(Invocation invocation, string? error)
    {
        if (invocation.InvocationId is null) return Results.Ok();
        var message = new JsonObject { ["type"] = 3, ["invocationId"] = invocation.InvocationId };
        if (error is not null) message["error"] = error;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        return Results.Bytes([.. bytes, RecordSeparator], "application/json");
    }
}
