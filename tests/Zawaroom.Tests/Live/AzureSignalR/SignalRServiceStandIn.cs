using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zawaroom.Tests.Live.AzureSignalR;

/// <summary>
/// A local stand-in of Azure SignalR Service in serverless mode, on a loopback Kestrel port:
/// <list type="bullet">
/// <item>the data-plane REST API 2022-06-01 the app calls (send to a group with <c>excluded</c>, send to
/// a connection, add/remove a connection to a group, close a connection), each checked like the
/// service does: a bearer HS256 JWT signed with the AccessKey whose <c>aud</c> is the request URL
/// (no query) and which has not expired; else 401. It keeps groups and connections and records what
/// each connection receives;</item>
/// <item>the client side: <see cref="Connect"/> checks a client token as the service does (signed with
/// the AccessKey, <c>aud</c> = the client URL) and then calls the app's upstream the way the service
/// does (<c>X-ASRS-*</c> headers, <c>X-ASRS-Signature</c>, claims as "type: value, …", the JSON hub
/// protocol invocation as the body).</item>
/// </list>
/// Not emulated: the WebSocket leg to the browser (a test "connection" reads what it was sent here).
/// </summary>
public sealed class SignalRServiceStandIn : IAsyncDisposable
{
    public const string Hub = "room";
    public string AccessKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    /// <summary>A second key the service also signs with, as during key rotation (the app does not know it).</summary>
    public string RotatedOutKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, StandInConnection> _connections = new();
    readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _groups = new();
    readonly HttpClient _upstream = new();
    public string Endpoint { get; private set; } = "";
    public string ConnectionString => $"Endpoint={Endpoint};AccessKey={AccessKey};Version=1.0;";
    /// <summary>The app's upstream URL template (as in infra/main.bicep), set once the app runs.</summary>
    public string UpstreamTemplate { get; set; } = "";
    /// <summary>
    /// Several app instances behind the upstream (as the platform's front end in front of a scaled-out
    /// app). A connection made with <c>via</c> sends every call to that instance while it answers
    /// ("connected through A"); others go round robin per call, so any instance handles any connection.
    /// An instance that refuses the TCP connection (it is dead) is taken out of rotation and the call goes
    /// to a live one: nothing reached the dead one, so resending is safe. A call that reached an instance
    /// and was cut (the instance died holding it) is not sent again: a <c>connections</c> event is then
    /// lost (<see cref="Lost"/>), an invocation fails to its caller. Empty: <see cref="UpstreamTemplate"/>.
    /// </summary>
    public List<string> UpstreamTemplates { get; } = [];
    public HashSet<string> DownUpstreams { get; } = [];
    /// <summary>The <c>connections</c> events that reached an instance which died before answering.</summary>
    public ConcurrentQueue<string> Lost { get; } = new();
    int _upstreamTurn;

    string PickUpstream(string connectionId)
    {
        lock (UpstreamTemplates)
        {
            var live = UpstreamTemplates.Where(t => !DownUpstreams.Contains(t)).ToList();
            if (live.Count == 0) return UpstreamTemplate;
            if (_connections.TryGetValue(connectionId, out var c) && c.Via is { } via && live.Contains(via)) return via;
            return live[(int)((uint)Interlocked.Increment(ref _upstreamTurn) % live.Count)];
        }
    }

    void TakeOutOfRotation(string template)
    {
        lock (UpstreamTemplates) DownUpstreams.Add(template);
    }

    static bool ConnectionRefused(HttpRequestException e) =>
        e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };

    /// <summary>Every REST call that was refused, with why.</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    SignalRServiceStandIn(WebApplication app) => _app = app;

    public static async Task<SignalRServiceStandIn> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new SignalRServiceStandIn(app);
        app.Run(standIn.Rest);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Endpoint = address.TrimEnd('/');
        return standIn;
    }

    public string ClientUrl => $"{Endpoint}/client/?hub={Hub}";

    public IReadOnlyCollection<string> Members(string group) =>
        _groups.TryGetValue(group, out var members) ? members.Keys.ToList() : [];

    public StandInConnection? Connection(string id) => _connections.GetValueOrDefault(id);

    // ----- REST API -----

    int _failures, _failuresServed, _failureStatus = 503, _sends;

    /// <summary>The next <paramref name="count"/> REST calls are answered 503, as a service under load may (or another status).</summary>
    public void FailNext(int count, int status = 503)
    {
        Volatile.Write(ref _failureStatus, status);
        Interlocked.Exchange(ref _failures, count);
    }
    /// <summary>How many <c>:send</c> calls reached the service, refused ones included.</summary>
    public int Sends => Volatile.Read(ref _sends);
    public int FailuresServed => Volatile.Read(ref _failuresServed);

    bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failures);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failures, left - 1, left) == left) return true;
        }
    }

    async Task Rest(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = raw.Split('?')[0];
        if (path.EndsWith("/:send", StringComparison.Ordinal)) Interlocked.Increment(ref _sends);
        if (TakeFailure())
        {
            Interlocked.Increment(ref _failuresServed);
            // A 500/502/504 may come after the service took the message: a client must not assume it was not sent.
            http.Response.StatusCode = Volatile.Read(ref _failureStatus);
            return;
        }
        var refusal = await Authorize(http, path);
        if (refusal is not null)
        {
            Refused.Enqueue($"{http.Request.Method} {path}: {refusal}");
            http.Response.StatusCode = 401;
            return;
        }
        if (http.Request.Query["api-version"] != "2022-06-01")
        {
            http.Response.StatusCode = 400;
            return;
        }
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        // api hubs {hub} ...: the service knows hubs by their lower-cased name (its SDK lower-cases them).
        if (segments.Length < 4 || segments[0] != "api" || segments[1] != "hubs" || segments[2] != Hub)
        {
            http.Response.StatusCode = 404;
            return;
        }
        var rest = segments[3..];
        var method = http.Request.Method;
        switch (rest)
        {
            case ["groups", var group, ":send"] when method == "POST":
                var excluded = http.Request.Query["excluded"].Select(v => v!).ToHashSet();
                var message = await ReadMessage(http);
                foreach (var id in Members(group).Where(id => !excluded.Contains(id)))
                    if (_connections.TryGetValue(id, out var c)) c.Deliver(message.Target, message.Argument);
                http.Response.StatusCode = 202;
                return;
            case ["connections", var id, ":send"] when method == "POST":
                var single = await ReadMessage(http);
                if (_connections.TryGetValue(id, out var to) && !to.Closed) to.Deliver(single.Target, single.Argument);
                http.Response.StatusCode = 202;
                return;
            case ["groups", var group, "connections", var id] when method == "PUT":
                if (!_connections.TryGetValue(id, out var joining) || joining.Closed) { http.Response.StatusCode = 404; return; }
                _groups.GetOrAdd(group, _ => new()).TryAdd(id, 0);
                http.Response.StatusCode = 200;
                return;
            case ["groups", var group, "connections", var id] when method == "DELETE":
                if (_groups.TryGetValue(group, out var members)) members.TryRemove(id, out _);
                http.Response.StatusCode = 200;
                return;
            case ["connections", var id] when method == "DELETE":
                if (_connections.TryGetValue(id, out var closing) && !closing.Closed)
                {
                    closing.Closed = true;
                    foreach (var g in _groups.Values) g.TryRemove(id, out _);
                    // As the service does: the closed connection's disconnected event goes upstream.
                    _ = Task.Run(() => Upstream(closing, "connections", "disconnected", "{}"));
                }
                http.Response.StatusCode = 200;
                return;
            default:
                http.Response.StatusCode = 404;
                return;
        }
    }

    async Task<string?> Authorize(HttpContext http, string rawPath)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return "no bearer token";
        var url = $"{http.Request.Scheme}://{http.Request.Host}{rawPath}";
        var result = await Validate(header["Bearer ".Length..], url);
        return result.IsValid ? null : result.Exception?.Message ?? "invalid token";
    }

    async Task<TokenValidationResult> Validate(string token, string audience) =>
        await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidAudience = audience,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(AccessKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(5), // the service tolerates some skew; a test app may run on a clock a little ahead
        });

    static async Task<(string Target, JsonElement Argument)> ReadMessage(HttpContext http)
    {
        using var json = await JsonDocument.ParseAsync(http.Request.Body);
        var arguments = json.RootElement.GetProperty("arguments");
        return (json.RootElement.GetProperty("target").GetString()!, arguments.GetArrayLength() > 0 ? arguments[0].Clone() : default);
    }

    // ----- client side -----

    /// <summary>
    /// A browser connecting with what "enter" returned: the token is checked, then "connected" goes
    /// upstream. <paramref name="messagePack"/>: the client speaks the MessagePack hub protocol, so its
    /// invocations go upstream as <c>application/x-msgpack</c>.
    /// </summary>
    public async Task<StandInConnection> Connect(string url, string accessToken, bool messagePack = false, string? via = null)
    {
        if (url != ClientUrl) throw new InvalidOperationException($"The client URL is {url}, not the service's {ClientUrl}.");
        var result = await Validate(accessToken, url);
        if (!result.IsValid) throw new InvalidOperationException("The service refuses the client token: " + result.Exception?.Message);
        var claims = result.Claims.Where(c => c.Key is not ("aud" or "exp" or "iat" or "nbf" or "iss"))
            .Select(c => (c.Key, Value: c.Value.ToString()!)).ToList();
        var userId = claims.FirstOrDefault(c => c.Key == "nameid").Value;
        var connection = new StandInConnection(this, Base64Url(RandomNumberGenerator.GetBytes(15)), userId, claims) { MessagePack = messagePack, Via = via };
        _connections[connection.Id] = connection;
        var response = await Upstream(connection, "connections", "connected", "{\"claims\":{}}");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Upstream 'connected' answered {(int)response.StatusCode}.");
        return connection;
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal Task<HttpResponseMessage> Upstream(StandInConnection connection, string category, string @event, string body,
        Action<HttpRequestHeaders>? tamper = null) =>
        PostUpstream(connection.Id, connection.UserId, connection.ClaimsHeader, category, @event, body, tamper);

    internal Task<HttpResponseMessage> Upstream(StandInConnection connection, string category, string @event, byte[] body, string contentType) =>
        PostUpstream(connection.Id, connection.UserId, connection.ClaimsHeader, category, @event, "", null, new ByteArrayContent(body)
        {
            Headers = { ContentType = new MediaTypeHeaderValue(contentType) },
        });

    /// <summary>An upstream request exactly as the service sends it; <paramref name="tamper"/> lets a test forge one.</summary>
    public async Task<HttpResponseMessage> PostUpstream(string connectionId, string? userId, string claimsHeader, string category, string @event,
        string body, Action<HttpRequestHeaders>? tamper = null, HttpContent? content = null)
    {
        var payload = content is null ? Encoding.UTF8.GetBytes(body) : await content.ReadAsByteArrayAsync();
        var contentType = content?.Headers.ContentType ?? new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        while (true)
        {
            var template = PickUpstream(connectionId);
            var url = template.Replace("{hub}", Hub).Replace("{category}", category).Replace("{event}", @event);
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(payload) { Headers = { ContentType = contentType } } };
            request.Headers.Add("X-ASRS-Connection-Id", connectionId);
            request.Headers.Add("X-ASRS-Hub", Hub);
            request.Headers.Add("X-ASRS-Category", category);
            request.Headers.Add("X-ASRS-Event", @event);
            if (userId is not null) request.Headers.Add("X-ASRS-User-Id", userId);
            request.Headers.TryAddWithoutValidation("X-ASRS-User-Claims", claimsHeader);
            // One value per key the service holds: the rotated-out one first, the current one second.
            request.Headers.Add("X-ASRS-Signature", $"{Sign(RotatedOutKey, connectionId)},{Sign(AccessKey, connectionId)}");
            // Each event on a connection of its own: a pooled one that dies with its instance would be resent by the
            // HTTP handler, and the service sends an event once.
            if (category == "connections") request.Headers.ConnectionClose = true;
            tamper?.Invoke(request.Headers);
            try
            {
                return await _upstream.SendAsync(request);
            }
            catch (HttpRequestException e) when (ConnectionRefused(e) && UpstreamTemplates.Contains(template))
            {
                TakeOutOfRotation(template);
            }
            catch (HttpRequestException e) when (category == "connections")
            {
                Lost.Enqueue($"{@event} of {userId} ({connectionId}) at {template}: {e.Message}");
                return new HttpResponseMessage(HttpStatusCode.BadGateway);
            }
        }
    }

    public static string Sign(string key, string connectionId) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(connectionId)));

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>One client connection held by the stand-in: what it was sent, and how it invokes hub methods.</summary>
public sealed class StandInConnection(SignalRServiceStandIn service, string id, string? userId, IReadOnlyList<(string Key, string Value)> claims)
{
    public static readonly TimeSpan Patience = Inbox.Patience;
    readonly Inbox _inbox = new($"{userId} ({id})");
    int _invocations;

    public string Id { get; } = id;
    public string? UserId { get; } = userId;
    /// <summary>Whether the client speaks MessagePack (its invocations go upstream as <c>application/x-msgpack</c>).</summary>
    public bool MessagePack { get; init; }
    /// <summary>The app instance (upstream URL template) this connection's calls go to while it answers; null: any.</summary>
    public string? Via { get; init; }
    /// <summary>Everything the connection was sent, in order, whether or not a test read it with <see cref="Next"/>.</summary>
    public ConcurrentQueue<(string Method, JsonElement Payload)> Received { get; } = new();
    public string ClaimsHeader { get; } = string.Join(", ", claims.Select(c => $"{c.Key}: {c.Value}"));
    readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Closed
    {
        get => _closed.Task.IsCompleted;
        set { if (value) _closed.TrySetResult(); }
    }

    /// <summary>Completes when the service closed the connection (the app asked it to, or the client left).</summary>
    public async Task WhenClosed()
    {
        if (await Task.WhenAny(_closed.Task, Task.Delay(Patience)) != _closed.Task)
            throw new Xunit.Sdk.XunitException($"{UserId} ({Id}) was not closed within {Patience.TotalSeconds} s.");
    }

    internal void Deliver(string method, JsonElement payload)
    {
        Received.Enqueue((method, payload));
        _inbox.Write(method, payload);
    }

    /// <summary>Invokes a hub method as the browser's <c>connection.invoke</c> does; returns the completion's error, or null.</summary>
    public async Task<string?> Invoke(string target, object argument)
    {
        var invocationId = Interlocked.Increment(ref _invocations).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (MessagePack) return await InvokeMessagePack(invocationId, target, argument);
        var body = JsonSerializer.Serialize(new { type = 1, invocationId, target, arguments = new[] { argument } }) + "\u001e";
        using var response = await service.Upstream(this, "messages", target.ToLowerInvariant(), body);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Upstream answered {(int)response.StatusCode} to {target}.");
        var text = (await response.Content.ReadAsStringAsync()).TrimEnd('\u001e');
        using var completion = JsonDocument.Parse(text);
        Assert.Equal(3, completion.RootElement.GetProperty("type").GetInt32());
        Assert.Equal(invocationId, completion.RootElement.GetProperty("invocationId").GetString());
        return completion.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    /// <summary>
    /// The MessagePack hub protocol as a MessagePack client sends it (length-prefixed), upstream as
    /// <c>application/x-msgpack</c>; the completion comes back in the same protocol.
    /// </summary>
    async Task<string?> InvokeMessagePack(string invocationId, string target, object argument)
    {
        var protocol = new Microsoft.AspNetCore.SignalR.Protocol.MessagePackHubProtocol();
        var body = protocol.GetMessageBytes(new Microsoft.AspNetCore.SignalR.Protocol.InvocationMessage(invocationId, target, [argument])).ToArray();
        using var response = await service.Upstream(this, "messages", target.ToLowerInvariant(), body, "application/x-msgpack");
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Upstream answered {(int)response.StatusCode} to {target}.");
        Assert.Equal("application/x-msgpack", response.Content.Headers.ContentType?.MediaType);
        var sequence = new System.Buffers.ReadOnlySequence<byte>(await response.Content.ReadAsByteArrayAsync());
        Assert.True(protocol.TryParseMessage(ref sequence, new AnyReturn(), out var message));
        var completion = Assert.IsType<Microsoft.AspNetCore.SignalR.Protocol.CompletionMessage>(message);
        Assert.Equal(invocationId, completion.InvocationId);
        return completion.Error;
    }

    sealed class AnyReturn : Microsoft.AspNetCore.SignalR.IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];
        public Type GetReturnType(string invocationId) => typeof(object);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }

    /// <summary>The client went away; with <paramref name="error"/>, as the service reports a connection that ended with one.</summary>
    public async Task Disconnect(string? error = null)
    {
        Closed = true;
        using var _ = await service.Upstream(this, "connections", "disconnected",
            error is null ? "{}" : JsonSerializer.Serialize(new { error }));
    }

    /// <summary>The next message of the given kind that matches; everything before it is passed over.</summary>
    public Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null) =>
        _inbox.Next(method, match, passedOver);
    public Task<JsonElement?> TryNext(string method, TimeSpan within) => _inbox.TryNext(method, within);
    public List<(string Method, JsonElement Payload)> Drain() => _inbox.Drain();
}
