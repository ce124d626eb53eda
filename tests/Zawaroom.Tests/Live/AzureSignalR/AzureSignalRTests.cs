using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Zawaroom.Live;
using Zawaroom.Realtime.AzureSignalR;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Blobs;
using Zawaroom.Tests.Storage;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.AzureSignalR;

/// <summary>
/// The app as deployed: <c>Zawaroom:Stores = Azure</c> (Cosmos DB and Azurite stand-ins) and
/// <c>Zawaroom:SignalR:ConnectionString</c> naming the local SignalR Service stand-in, whose upstream
/// is the app's <c>/api/realtime/upstream/{hub}/{category}/{event}</c>.
/// </summary>
public class AzureLiveApp : IAsyncLifetime
{
    /// <summary>A fixture may run the app on a fake clock (timers then tick only when the test advances it).</summary>
    protected virtual Microsoft.Extensions.Time.Testing.FakeTimeProvider? Clock => null;
    /// <summary>Settings of a fixture on top of these (e.g. throttle limits).</summary>
    protected virtual void Configure(TestApp app) { }

    public CosmosStandIn Cosmos { get; } = new();
    public AzuriteStandIn Azurite { get; } = new();
    public SignalRServiceStandIn Service { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var service = SignalRServiceStandIn.Start();
        await Task.WhenAll(Cosmos.InitializeAsync(), Azurite.InitializeAsync(), service);
        Service = await service;
        App = new TestApp()
            .With("Zawaroom:Stores", "Azure")
            .With("Zawaroom:Cosmos:ConnectionString", Cosmos.ConnectionString)
            .With("Zawaroom:Cosmos:Database", "zawaroom")
            .With("Zawaroom:Blobs:ConnectionString", Azurite.ConnectionString)
            .With("Zawaroom:SignalR:ConnectionString", Service.ConnectionString)
            // Every REST call to the service would otherwise be four Information lines on the console.
            .With("Logging:LogLevel:System.Net.Http.HttpClient", "Warning")
            .WithServices(services => services.Configure<CosmosStoreOptions>(o => o.HttpClientFactory = CosmosStandIn.HttpClient))
            .WithServices(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs));
        App.Clock = Clock;
        Configure(App);
        await App.InitializeAsync();
        Service.UpstreamTemplate = new Uri(App.BaseAddress, "api/realtime/upstream/{hub}/{category}/{event}").ToString()
            .Replace("%7B", "{").Replace("%7D", "}");
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await Service.DisposeAsync();
        await Cosmos.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

public sealed class AzureSignalRTests(AzureLiveApp azure) : IClassFixture<AzureLiveApp>
{
    SignalRServiceStandIn Service => azure.Service;

    async Task<(TestSite Site, string RoomId)> Room(string subdomain, params string[] members)
    {
        var site = await azure.App.CreateSite(subdomain);
        foreach (var m in members) await site.AddMember(m);
        var space = await site.AddSpace("本社");
        return (site, await site.AddRoom(space, "開発室"));
    }

    static async Task<JsonElement> Enter(TestSite site, string email, string roomId)
    {
        var http = await site.As(email);
        return (await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{roomId}/enter"), null))).GetProperty("negotiate");
    }

    /// <summary>Enter over HTTP, then connect to the service with what "enter" returned; returns once the snapshot arrived.</summary>
    async Task<(StandInConnection Connection, JsonElement Snapshot)> Connect(TestSite site, string email, string roomId, bool messagePack = false)
    {
        var negotiate = await Enter(site, email, roomId);
        var connection = await Service.Connect(negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!, messagePack);
        return (connection, await connection.Next("snapshot"));
    }

    [Fact]
    public void Azure_with_a_SignalR_connection_string_selects_the_service_adapter()
    {
        Assert.IsType<AzureSignalRBroadcaster>(azure.App.Services.GetRequiredService<IRoomBroadcaster>());
        Assert.IsType<AzureSignalRNegotiation>(azure.App.Services.GetRequiredService<ILiveNegotiation>());
    }

    [Fact]
    public async Task Enter_answers_the_service_client_url_and_a_token_for_it_bound_to_member_site_and_room()
    {
        var (site, roomId) = await Room("azneg", "alice@azneg.example");

        var negotiate = await Enter(site, "alice@azneg.example", roomId);

        Assert.Equal($"{Service.Endpoint}/client/?hub=room", negotiate.GetProperty("url").GetString());
        var token = new JsonWebToken(negotiate.GetProperty("accessToken").GetString());
        Assert.Equal([$"{Service.Endpoint}/client/?hub=room"], token.Audiences);
        Assert.Equal("alice@azneg.example", token.GetClaim("nameid").Value);
        Assert.Equal(roomId, token.GetClaim("zw_room").Value);
        Assert.False(string.IsNullOrEmpty(token.GetClaim("zw_site").Value));
        Assert.Equal("HS256", token.Alg);
        // The standard negotiate answers the same way.
        var http = await site.As("alice@azneg.example");
        var standard = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"negotiate?roomId={roomId}"), null));
        Assert.Equal($"{Service.Endpoint}/client/?hub=room", standard.GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_push_the_service_refuses_once_with_503_is_retried_and_arrives()
    {
        var (site, roomId) = await Room("azretry", "alice@azretry.example", "bob@azretry.example");
        var (alice, _) = await Connect(site, "alice@azretry.example", roomId);
        var (bob, _) = await Connect(site, "bob@azretry.example", roomId);
        var served = Service.FailuresServed;

        Service.FailNext(1);
        Assert.Null(await bob.Invoke("SetStatus", new { status = "再送", cid = "retry-1" }));

        var status = await alice.Next("event", e => e.Str("type") == EventTypes.Status && e.Str("status") == "再送");
        Assert.Equal("bob@azretry.example", status.Str("email"));
        Assert.Equal(served + 1, Service.FailuresServed);
    }

    [Fact]
    public async Task A_refused_command_completes_with_the_error_code_and_text()
    {
        var (site, roomId) = await Room("azerr", "alice@azerr.example");
        var (alice, _) = await Connect(site, "alice@azerr.example", roomId);

        var error = await alice.Invoke("SetStatus", new { status = "", cid = "bad" });
        var unknown = await alice.Invoke("Teleport", new { x = 1 });

        Assert.StartsWith("validation: ", error);
        Assert.StartsWith("unknown-method: ", unknown);
    }

    [Fact]
    public async Task The_viewport_decides_the_watched_rectangle_and_is_kept_on_the_presence_record()
    {
        var (site, roomId) = await Room("azview", "alice@azview.example");
        var (alice, _) = await Connect(site, "alice@azview.example", roomId);

        Assert.Null(await alice.Invoke("Viewport", new { x = 3000, y = 1800, width = 800, height = 600 }));

        var siteId = await SiteId(site);
        var record = await azure.App.Services.GetRequiredService<IPresenceStore>().Get(siteId, alice.Id, default);
        Assert.Equal(new ViewRect(3000, 1800, 800, 600), record!.Session!.Viewport);
        var zones = record.Session.Zones.Select(z => (z.Column, z.Row)).ToHashSet();
        Assert.Contains((3, 2), zones);
        Assert.DoesNotContain((0, 0), zones);
        // One group for the rectangle of zones it watches; the rectangle is what any instance reads back from presence.
        var view = ZoneView.Of(zones)!.Value;
        Assert.Contains(alice.Id, Service.Members(Groups.View(siteId, roomId, view)));
        Assert.Contains(view, await new PresenceViews(azure.App.Services.GetRequiredService<IPresenceStore>(), TimeProvider.System).Watched(siteId, roomId, default));
    }

    [Fact]
    public async Task A_forged_upstream_call_is_refused_and_nothing_happens()
    {
        var (site, roomId) = await Room("azforge", "alice@azforge.example", "mallory@azforge.example");
        var (alice, _) = await Connect(site, "alice@azforge.example", roomId);
        var siteId = await SiteId(site);
        var claims = $"nameid: mallory@azforge.example, zw_site: {siteId}, zw_room: {roomId}";

        var wrongKey = await Service.PostUpstream("forged-1", "mallory@azforge.example", claims, "connections", "connected", "{}",
            h => { h.Remove("X-ASRS-Signature"); h.Add("X-ASRS-Signature", SignalRServiceStandIn.Sign("not-the-key", "forged-1")); });
        var noSignature = await Service.PostUpstream("forged-2", "mallory@azforge.example", claims, "connections", "connected", "{}",
            h => h.Remove("X-ASRS-Signature"));
        // A real signature, but of another connection id.
        var otherId = await Service.PostUpstream("forged-3", "mallory@azforge.example", claims, "messages", "setstatus",
            """{"type":1,"invocationId":"1","target":"SetStatus","arguments":[{"status":"pwned"}]}""",
            h => { h.Remove("X-ASRS-Signature"); h.Add("X-ASRS-Signature", SignalRServiceStandIn.Sign(Service.AccessKey, alice.Id)); });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noSignature.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherId.StatusCode);
        var people = await azure.App.Services.GetRequiredService<IPresenceStore>().InRoom(siteId, roomId, default);
        Assert.Equal(["alice@azforge.example"], people.Select(p => p.Email));
        Assert.Equal("online", people.Single().Status);
    }

    [Fact]
    public async Task A_reconnect_replaces_the_older_connection_which_the_service_closes()
    {
        var (site, roomId) = await Room("azreconn", "alice@azreconn.example", "bob@azreconn.example");
        var (alice, _) = await Connect(site, "alice@azreconn.example", roomId);
        var (bob1, _) = await Connect(site, "bob@azreconn.example", roomId);

        var (bob2, snapshot) = await Connect(site, "bob@azreconn.example", roomId);

        Assert.True(snapshot.HasPerson("alice@azreconn.example"));
        Assert.True(Service.Connection(bob1.Id)!.Closed);
        var siteId = await SiteId(site);
        Assert.DoesNotContain(bob1.Id, Service.Members(Groups.Room(siteId, roomId)));
        Assert.Contains(bob2.Id, Service.Members(Groups.Room(siteId, roomId)));
        Assert.Null(await bob2.Invoke("Heartbeat", new { }));
        Assert.StartsWith("not-in-room: ", await bob1.Invoke("SetStatus", new { status = "x" }));
    }

    internal static async Task<string> SiteId(TestSite site)
    {
        var admin = await site.Admin();
        var me = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")));
        return me.GetProperty("siteId").GetString()!;
    }

    [Fact]
    public async Task A_send_that_may_have_reached_the_service_is_not_sent_again()
    {
        var (site, roomId) = await Room("aznoretry", "alice@aznoretry.example", "bob@aznoretry.example");
        var (alice, _) = await Connect(site, "alice@aznoretry.example", roomId);
        var (bob, _) = await Connect(site, "bob@aznoretry.example", roomId);
        var sends = Service.Sends;

        // A 502 from a proxy in front of the service: the message may have gone out; sending again could double it.
        Service.FailNext(1, 502);
        var error = await bob.Invoke("SetStatus", new { status = "一度だけ", cid = "once-1" });

        Assert.StartsWith("error:", error);
        Assert.Equal(sends + 1, Service.Sends);
    }

    [Fact]
    public async Task A_MessagePack_client_acts_through_the_service_and_gets_its_completions_in_MessagePack()
    {
        var (site, roomId) = await Room("azmsgpack", "alice@azmsgpack.example", "bob@azmsgpack.example");
        var (alice, _) = await Connect(site, "alice@azmsgpack.example", roomId);
        var (bob, _) = await Connect(site, "bob@azmsgpack.example", roomId, messagePack: true);

        Assert.Null(await bob.Invoke("SetStatus", new SetStatusCommand("離席", "mp-1")));
        Assert.Equal("離席", (await alice.Next("event", e => e.Str("type") == EventTypes.Status)).Str("status"));
        Assert.Null(await bob.Invoke("Move", new MoveCommand(640, 480)));
        Assert.True((await alice.Next("moved", b => b.Moves("bob@azmsgpack.example"))).ValueKind == JsonValueKind.Array);
        // A refusal comes back as a MessagePack completion carrying the code.
        Assert.StartsWith("validation:", await bob.Invoke("Message", new MessageCommand(new string('x', RoomCommands.MaxMessage + 1), "mp-2")));
    }

    [Fact]
    public async Task The_error_the_service_reports_for_a_disconnect_is_logged_and_the_member_leaves()
    {
        var (site, roomId) = await Room("azdiscerr", "alice@azdiscerr.example", "bob@azdiscerr.example");
        var (alice, _) = await Connect(site, "alice@azdiscerr.example", roomId);
        var (bob, _) = await Connect(site, "bob@azdiscerr.example", roomId);

        await bob.Disconnect("Connection closed with an error. WebSocket closed unexpectedly.");

        Assert.Equal("bob@azdiscerr.example", (await alice.Next("left")).Str("email"));
        var line = Assert.Single(azure.Logs.Matching("WebSocket closed unexpectedly"));
        Assert.Contains(bob.Id, line.Text);
    }

    [Fact]
    public async Task A_hub_named_with_capitals_is_addressed_lower_cased_as_the_service_names_it()
    {
        var connection = SignalRConnection.Parse(Service.ConnectionString);
        var tokens = new ServiceTokens(connection, TimeProvider.System);
        var options = new AzureSignalROptions { Hub = "Room" };
        using var http = new HttpClient();
        var rest = new SignalRRestClient(http, connection, tokens, options);

        // The stand-in knows the hub only as "room" and checks each token's aud against the lower-cased URL.
        await rest.SendToGroup("nobody-here", "moved", new { }, [], CancellationToken.None);
        // Adding a connection that is gone (404) is not an error: its disconnected event takes it out anyway.
        await rest.AddToGroup("gone-connection", "some-group", CancellationToken.None);
        Assert.Equal(Service.ClientUrl, new AzureSignalRNegotiation(connection, tokens, options).ClientUrl);
        Assert.Empty(Service.Refused);
    }

}

/// <summary>Without Azure SignalR Service configured the upstream route does nothing, whatever it is sent.</summary>
public sealed class EmbeddedUpstreamTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Without_the_service_the_upstream_route_answers_404()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/realtime/upstream/room/connections/connected") { Content = new StringContent("{}") };
        request.Headers.Add("X-ASRS-Connection-Id", "c1");
        request.Headers.Add("X-ASRS-Signature", SignalRServiceStandIn.Sign("any", "c1"));

        var response = await app.Anonymous().SendAsync(request);

        await Http.AssertProblem(response, 404, "not-found");
    }
}

/// <summary>The pure parts: connection string, signature, claims.</summary>
public sealed class AzureSignalRUnitTests
{
    [Fact]
    public void A_connection_string_gives_endpoint_and_key_with_an_optional_port()
    {
        var c = SignalRConnection.Parse("Endpoint=https://zw.service.signalr.net;AccessKey=abc=/+;Version=1.0;");
        Assert.Equal("https://zw.service.signalr.net", c.Base);
        Assert.Equal("abc=/+", c.AccessKey);
        Assert.Equal("http://127.0.0.1:8080", SignalRConnection.Parse("Endpoint=http://127.0.0.1;Port=8080;AccessKey=k;Version=1.0;").Base);
        Assert.Throws<InvalidOperationException>(() => SignalRConnection.Parse("Endpoint=https://zw.service.signalr.net;AuthType=azure.msi;Version=1.0;"));
    }

    [Fact]
    public void The_signature_is_the_hex_HMAC_of_the_connection_id_and_one_of_several_values_is_enough()
    {
        var ours = SignalRServiceStandIn.Sign("key-1", "conn-1");

        Assert.True(ServiceTokens.SignatureMatches("key-1", "conn-1", ours));
        Assert.True(ServiceTokens.SignatureMatches("key-1", "conn-1", $"{SignalRServiceStandIn.Sign("old-key", "conn-1")},{ours}"));
        Assert.True(ServiceTokens.SignatureMatches("key-1", "conn-1", ours.ToUpperInvariant().Replace("SHA256=", "sha256=")));
        Assert.False(ServiceTokens.SignatureMatches("key-1", "conn-2", ours));
        Assert.False(ServiceTokens.SignatureMatches("key-2", "conn-1", ours));
        Assert.False(ServiceTokens.SignatureMatches("key-1", "conn-1", ""));
        Assert.False(ServiceTokens.SignatureMatches("key-1", "", ours));
    }

    [Fact]
    public void Claims_arrive_as_type_colon_value_pairs()
    {
        var claims = UpstreamHandler.ParseClaims("nameid: a@x.example, zw_site: s1, zw_room: r-1, zw_name: " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Smith, J.")));

        Assert.Equal("a@x.example", claims["nameid"]);
        Assert.Equal("s1", claims["zw_site"]);
        Assert.Equal("r-1", claims["zw_room"]);
        Assert.Equal("Smith, J.", Encoding.UTF8.GetString(Convert.FromBase64String(claims["zw_name"])));
    }

    [Fact]
    public void A_REST_token_is_for_the_request_url_without_its_query()
    {
        var tokens = new ServiceTokens(SignalRConnection.Parse("Endpoint=https://zw.service.signalr.net;AccessKey=0123456789abcdefghijklmnopqrstuvwxyzABCDEFG=;Version=1.0;"), TimeProvider.System);

        var token = new JsonWebToken(tokens.ForRest(new Uri("https://zw.service.signalr.net/api/hubs/room/groups/g%7C1/:send?api-version=2022-06-01&excluded=c1")));

        Assert.Equal(["https://zw.service.signalr.net/api/hubs/room/groups/g%7C1/:send"], token.Audiences);
        Assert.True(token.ValidTo > DateTime.UtcNow);
    }

    [Fact]
    public void Claims_are_split_at_the_first_colon_space_so_a_claim_type_may_hold_colons()
    {
        var claims = UpstreamHandler.ParseClaims("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier: a@x.example, zw_site: s1, asrs.s.aut: Bearer");

        Assert.Equal("a@x.example", claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"]);
        Assert.Equal("s1", claims["zw_site"]);
        Assert.Equal("Bearer", claims["asrs.s.aut"]);
    }

    [Fact]
    public void Only_a_send_the_service_certainly_did_not_take_is_retried()
    {
        Assert.True(AzureSignalRServices.ShouldRetry(HttpMethod.Post, HttpStatusCode.ServiceUnavailable, null));
        Assert.True(AzureSignalRServices.ShouldRetry(HttpMethod.Post, HttpStatusCode.TooManyRequests, null));
        Assert.False(AzureSignalRServices.ShouldRetry(HttpMethod.Post, HttpStatusCode.InternalServerError, null));
        Assert.False(AzureSignalRServices.ShouldRetry(HttpMethod.Post, HttpStatusCode.GatewayTimeout, null));
        Assert.False(AzureSignalRServices.ShouldRetry(HttpMethod.Post, null, new Polly.Timeout.TimeoutRejectedException()));
        Assert.True(AzureSignalRServices.ShouldRetry(HttpMethod.Post, null, new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        // Group membership and closing are idempotent: any transient failure is tried again.
        Assert.True(AzureSignalRServices.ShouldRetry(HttpMethod.Put, HttpStatusCode.BadGateway, null));
        Assert.True(AzureSignalRServices.ShouldRetry(HttpMethod.Delete, null, new Polly.Timeout.TimeoutRejectedException()));
        Assert.False(AzureSignalRServices.ShouldRetry(HttpMethod.Put, HttpStatusCode.BadRequest, null));
    }
}
