using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Tests.Live.AzureSignalR;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.Contract;

/// <summary>One member's connection to the live room, whichever transport carries it: what a browser does and sees.</summary>
public interface ILiveMember : IAsyncDisposable
{
    string Email { get; }
    /// <summary>The snapshot the room sent when this connection joined.</summary>
    JsonElement FirstSnapshot { get; }
    /// <summary>Invokes a hub method and expects it to be accepted; a refusal fails the test.</summary>
    async Task Invoke(string method, object argument)
    {
        if (await TryInvoke(method, argument) is { } error)
            throw new Xunit.Sdk.XunitException($"{Email}'s {method} was refused: {error}");
    }
    /// <summary>Invokes a hub method; returns null when accepted, else the error the caller was told ("code: text").</summary>
    Task<string?> TryInvoke(string method, object argument);
    /// <summary>Invokes a hub method that must be refused; returns the error ("code: text").</summary>
    async Task<string> Refused(string method, object argument) =>
        await TryInvoke(method, argument) ?? throw new Xunit.Sdk.XunitException($"{Email}'s {method} was accepted.");
    Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null);
    Task<JsonElement?> TryNext(string method, TimeSpan within);
    List<(string Method, JsonElement Payload)> Drain();
    /// <summary>Completes when the room closed this connection.</summary>
    Task WhenClosed();
    /// <summary>The tab goes away without saying Leave (closed, crashed, network gone).</summary>
    Task Disconnect();
}

/// <summary>
/// The live room's transport under test: the app it runs in and how a browser connects with what
/// <c>POST /api/rooms/{id}/enter</c> answered. The rest (entering over HTTP, reading the log and presence) is the same for all.
/// </summary>
public interface ILiveDriver
{
    TestApp App { get; }
    /// <summary>Set when the app runs on a clock the test moves.</summary>
    FakeTimeProvider? FrozenClock { get; }
    /// <summary>Connects with an entry's <c>negotiate</c>; once the snapshot arrived, the member; null when the room refused the connection.</summary>
    Task<ILiveMember?> Connect(string email, JsonElement negotiate);
}

public static class LiveDriving
{
    /// <summary>POST /enter as the member: the <c>negotiate</c> part of the answer (a ticket for the transport).</summary>
    public static async Task<JsonElement> Negotiate(this ILiveDriver live, TestSite site, string email, string roomId)
    {
        var http = await site.As(email);
        return (await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{roomId}/enter"), null))).GetProperty("negotiate").Clone();
    }

    /// <summary>Enters as a browser does: POST /enter, then connect; returns once the snapshot arrived.</summary>
    public static async Task<ILiveMember> Enter(this ILiveDriver live, TestSite site, string email, string roomId) =>
        await live.Connect(email, await live.Negotiate(site, email, roomId))
        ?? throw new Xunit.Sdk.XunitException($"The room refused {email}'s connection.");

    public static async Task<string> SiteId(TestSite site) =>
        (await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).Str("siteId");

    /// <summary>The site's usage log (PRODUCT.md L2) as the app's own log store holds it.</summary>
    public static async Task<List<UsageEvent>> Log(this ILiveDriver live, TestSite site)
    {
        var now = live.FrozenClock?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        return await live.App.Services.GetRequiredService<IEventLog>().Read(await SiteId(site), now.AddHours(-1), now.AddHours(1), CancellationToken.None)
            .ToListAsync();
    }

    public static IPresenceStore Presence(this ILiveDriver live) => live.App.Services.GetRequiredService<IPresenceStore>();
}

/// <summary>The in-process SignalR hub, through the real SignalR client over WebSockets.</summary>
public class InProcessDriver : ILiveDriver, IAsyncLifetime
{
    public TestApp App { get; } = new();
    public virtual FakeTimeProvider? FrozenClock => null;
    protected virtual void Configure(TestApp app) { }

    public Task InitializeAsync()
    {
        App.Clock = FrozenClock;
        Configure(App);
        return App.InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();

    public async Task<ILiveMember?> Connect(string email, JsonElement negotiate) =>
        await LiveClient.Open(email, negotiate.Str("url"), negotiate.Str("accessToken")) is { } client ? new Member(client) : null;

    sealed class Member(LiveClient client) : ILiveMember
    {
        public string Email => client.Email;
        public JsonElement FirstSnapshot => client.FirstSnapshot;

        public async Task<string?> TryInvoke(string method, object argument)
        {
            try
            {
                await client.Invoke(method, argument);
                return null;
            }
            catch (HubException e)
            {
                // SignalR's client wraps the server's text: "An unexpected error occurred invoking 'X' on the server. HubException: <code>: <text>".
                const string marker = "HubException: ";
                var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
                return at < 0 ? e.Message : e.Message[(at + marker.Length)..];
            }
        }

        public Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null) =>
            client.Next(method, match, passedOver);
        public Task<JsonElement?> TryNext(string method, TimeSpan within) => client.TryNext(method, within);
        public List<(string Method, JsonElement Payload)> Drain() => client.Drain();
        public Task WhenClosed() => client.WhenClosed();
        public Task Disconnect() => client.Connection.StopAsync();
        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}

/// <summary>
/// Azure SignalR Service (serverless) through its stand-in, with the Azure store family (the Cosmos DB
/// and Azurite stand-ins): every connection event and invocation reaches the app over the upstream.
/// </summary>
public class AzureDriver : AzureLiveApp, ILiveDriver
{
    public virtual FakeTimeProvider? FrozenClock => null;
    protected override FakeTimeProvider? Clock => FrozenClock;

    public async Task<ILiveMember?> Connect(string email, JsonElement negotiate)
    {
        var connection = await Service.Connect(negotiate.Str("url"), negotiate.Str("accessToken"));
        // A refused connection is closed by the app (REST) before its "connected" upstream call returns.
        if (connection.Closed) return null;
        var passed = new List<(string Method, JsonElement Payload)>();
        var snapshot = await connection.Next("snapshot", passedOver: passed);
        Assert.DoesNotContain(passed, p => LiveClient.Sequenced.Contains(p.Method));
        return new Member(email, connection, snapshot, beating: FrozenClock is null);
    }

    /// <summary>
    /// Serverless, only a client's Heartbeat keeps its presence alive (static-web's live connection sends one every 20 s
    /// against a 30 s timeout); so does this one while the app's clock is real, more often, as a busy machine may be slow.
    /// </summary>
    sealed class Member : ILiveMember
    {
        readonly string email;
        readonly StandInConnection connection;
        readonly JsonElement snapshot;
        readonly CancellationTokenSource _stop = new();

        public Member(string email, StandInConnection connection, JsonElement snapshot, bool beating)
        {
            (this.email, this.connection, this.snapshot) = (email, connection, snapshot);
            if (beating) _ = Beat();
        }

        async Task Beat()
        {
            try
            {
                while (!connection.Closed)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                    if (!connection.Closed) await connection.Invoke("Heartbeat", new { });
                }
            }
            catch (Exception) { } // stopped, or the app went away with the test
        }

        public string Email => email;
        public JsonElement FirstSnapshot => snapshot;
        public Task<string?> TryInvoke(string method, object argument) => connection.Invoke(method, argument);
        public Task<JsonElement> Next(string method, Func<JsonElement, bool>? match = null, List<(string Method, JsonElement Payload)>? passedOver = null) =>
            connection.Next(method, match, passedOver);
        public Task<JsonElement?> TryNext(string method, TimeSpan within) => connection.TryNext(method, within);
        public List<(string Method, JsonElement Payload)> Drain() => connection.Drain();
        public Task WhenClosed() => connection.WhenClosed();
        public Task Disconnect() => connection.Disconnect();
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (!connection.Closed) await connection.Disconnect();
        }
    }
}
