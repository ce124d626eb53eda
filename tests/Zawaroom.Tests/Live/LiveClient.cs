using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>A member in a live room through a real SignalR client, as the browser is: enter over HTTP, then the hub.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    static readonly string[] Methods = ["snapshot", "entered", "left", "moved", "event", "knocked", "signal", "zoom"];
    /// <summary>The room-wide pushes that carry <c>seq</c> (L4).</summary>
    public static readonly string[] Sequenced = ["entered", "left", "event", "zoom"];

    readonly Channel<(string Method, JsonElement Payload)> _inbox = Channel.CreateUnbounded<(string, JsonElement)>();
    public HubConnection Connection { get; }
    public string Email { get; }
    public string Url { get; }
    public string AccessToken { get; }
    /// <summary>The snapshot the hub sent when this client connected.</summary>
    public JsonElement FirstSnapshot { get; private set; }

    LiveClient(string email, string url, string accessToken)
    {
        Email = email;
        Url = url;
        AccessToken = accessToken;
        Connection = Connect(url, accessToken);
        foreach (var method in Methods)
            Connection.On<JsonElement>(method, payload => _inbox.Writer.TryWrite((method, payload)));
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
        var client = new LiveClient(email, negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!);
        await client.Connection.StartAsync();
        var passed = new List<(string, JsonElement)>();
        client.FirstSnapshot = await client.Next("snapshot", passedOver: passed);
        // L4: nothing reaches a new connection before its snapshot (moves aside, which carry no seq).
        Xunit.Assert.DoesNotContain(passed, p => Sequenced.Contains(p.Item1));
        return client;
    }

    /// <summary>The next message of the given kind that matches; everything before it is passed over.</summary>
    public async Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var (m, payload) = await _inbox.Reader.ReadAsync(timeout.Token);
                if (m == method && (match is null || match(payload))) return payload;
                passedOver?.Add((m, payload));
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{Email} did not receive '{method}' within {Patience.TotalSeconds} s.");
        }
    }

    /// <summary>The next message of the given kind if one comes within <paramref name="within"/>; others before it are passed over.</summary>
    public async Task<JsonElement?> TryNext(string method, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var (m, payload) = await _inbox.Reader.ReadAsync(timeout.Token);
                if (m == method) return payload;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Everything received and not yet read, up to now.</summary>
    public List<(string Method, JsonElement Payload)> Drain()
    {
        var list = new List<(string, JsonElement)>();
        while (_inbox.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }

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
