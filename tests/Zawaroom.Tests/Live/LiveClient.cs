using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>A member in a live room through a real SignalR client, as the browser is: enter over HTTP, then the hub.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = Inbox.Patience;
    static readonly string[] Methods = ["snapshot", "entered", "left", "moved", "event", "knocked", "signal", "zoom"];
    /// <summary>The room-wide pushes that carry <c>seq</c> (L4).</summary>
    public static readonly string[] Sequenced = ["entered", "left", "event", "zoom"];

    readonly Inbox _inbox;
    readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public HubConnection Connection { get; }
    public string Email { get; }
    public string Url { get; }
    public string AccessToken { get; }
    /// <summary>The snapshot the hub sent when this client connected.</summary>
    public JsonElement FirstSnapshot { get; private set; }

    LiveClient(string email, string url, string accessToken)
    {
        Email = email;
        _inbox = new Inbox(email);
        Url = url;
        AccessToken = accessToken;
        Connection = Connect(url, accessToken);
        foreach (var method in Methods)
            Connection.On<JsonElement>(method, payload => _inbox.Write(method, payload));
        Connection.Closed += _ => { _closed.TrySetResult(); return Task.CompletedTask; };
    }

    public static HubConnection Connect(string url, string accessToken) => new HubConnectionBuilder()
        .WithUrl(url, o => o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken))
        .WithKeepAliveInterval(TimeSpan.FromMilliseconds(500))
        .WithServerTimeout(TimeSpan.FromSeconds(30))
        .Build();

    /// <summary>Enters the room (HTTP) and connects to the hub; returns once the snapshot arrived.</summary>
    public static async Task<LiveClient> Enter(TestSite site, string email, string roomId)
    {
        var http = await site.As(email);
        var body = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{roomId}/enter"), null));
        var negotiate = body.GetProperty("negotiate");
        return await Open(email, negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!)
            ?? throw new Xunit.Sdk.XunitException($"The hub refused {email}'s connection.");
    }

    /// <summary>
    /// Connects to the hub with what "enter" answered; returns once the snapshot arrived, or null when the
    /// hub refused the connection (it failed to start, or was closed before any snapshot).
    /// </summary>
    public static async Task<LiveClient?> Open(string email, string url, string accessToken)
    {
        var client = new LiveClient(email, url, accessToken);
        try
        {
            await client.Connection.StartAsync();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            await client.DisposeAsync();
            return null;
        }
        var passed = new List<(string, JsonElement)>();
        var snapshot = client.Next("snapshot", passedOver: passed);
        if (await Task.WhenAny(snapshot, client._closed.Task) != snapshot)
        {
            await client.DisposeAsync();
            return null;
        }
        client.FirstSnapshot = await snapshot;
        // L4: nothing reaches a new connection before its snapshot (moves aside, which carry no seq).
        Xunit.Assert.DoesNotContain(passed, p => Sequenced.Contains(p.Item1));
        return client;
    }

    /// <summary>Completes when the connection was closed (by the server, or by this client).</summary>
    public async Task WhenClosed()
    {
        if (await Task.WhenAny(_closed.Task, Task.Delay(Patience)) != _closed.Task)
            throw new Xunit.Sdk.XunitException($"{Email}'s connection was not closed within {Patience.TotalSeconds} s.");
    }

    public Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null) =>
        _inbox.Next(method, match, passedOver);
    public Task<JsonElement?> TryNext(string method, TimeSpan within) => _inbox.TryNext(method, within);
    public List<(string Method, JsonElement Payload)> Drain() => _inbox.Drain();

    public Task Invoke(string method, object argument) => Connection.InvokeAsync(method, argument);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}

public static class LivePayloads
{
    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
    public static bool HasPerson(this JsonElement snapshot, string email) =>
        snapshot.GetProperty("people").EnumerateArray().Any(p => p.Str("email") == email);
    public static long Seq(this JsonElement e) => e.GetProperty("seq").GetInt64();
    public static JsonElement Person(this JsonElement snapshot, string email) =>
        snapshot.GetProperty("people").EnumerateArray().Single(p => p.Str("email") == email);
    public static bool Moves(this JsonElement batch, string email) => batch.EnumerateArray().Any(m => m.Str("email") == email);
}
