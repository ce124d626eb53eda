using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Identity;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Security;

/// <summary>
/// Walks every endpoint the app registers and calls it as anonymous, as a member of another site, as
/// a user, as a room admin and as a site admin, checking the answer against U2 and API.md: 401, 403,
/// 404 for another site's ids, 2xx. The table below is the test's own statement of the matrix; an
/// endpoint that is not in it fails the walk, so nobody can add a route without classifying it.
/// </summary>
public sealed class RouteTableWalkTests(TestApp app) : IClassFixture<TestApp>
{
    /// <summary>Who may call a route, as PRODUCT.md U2 says (not read from the app's own metadata).</summary>
    /// <summary><c>Starter</c>: a member reading what they started (a log export); a site admin reads everyone's, others get 404.</summary>
    enum Who { Anyone, Member, RoomAdmin, SiteAdmin, Operator, LiveTicket, Starter }

    /// <summary>
    /// One route: who may call it, and a request that succeeds for them on a fresh world. Where the
    /// fresh world cannot satisfy a route's own precondition (being inside the room), <c>Allowed</c>
    /// says what the allowed roles get instead: that precondition's answer, never 401 or 403.
    /// </summary>
    sealed record Route(string Method, string Pattern, Who Who, Func<World, HttpRequestMessage> Request, Func<int, bool>? Allowed = null,
        Func<World, Task>? Prepare = null);

    static readonly Route[] Routes =
    [
        new("GET", "/api/login-options", Who.Anyone, w => Get(w.Api("login-options"))),
        new("POST", "/api/auth/local", Who.Anyone, w => Post(w.Api("auth/local"), new { email = w.UserEmail })),
        new("GET", "/api/me", Who.Member, w => Get(w.Api("me"))),

        new("GET", "/api/admin/site", Who.SiteAdmin, w => Get(w.Api("admin/site"))),
        new("PATCH", "/api/admin/site", Who.SiteAdmin, w => Send("PATCH", w.Api("admin/site"), new { showSiteLink = false })),
        new("GET", "/api/admin/login-providers", Who.SiteAdmin, w => Get(w.Api("admin/login-providers"))),
        new("PUT", "/api/admin/login-providers", Who.SiteAdmin, w => Send("PUT", w.Api("admin/login-providers"),
            new[] { new { id = "aad", name = "社員ログイン", enable = true }, new { id = "aad-b2c", name = "ゲスト", enable = false } })),
        new("GET", "/api/admin/members", Who.SiteAdmin, w => Get(w.Api("admin/members"))),
        new("POST", "/api/admin/members", Who.SiteAdmin, w => Post(w.Api("admin/members"), new { email = "new@walk.example", authType = "aad" })),
        new("POST", "/api/admin/members/delete", Who.SiteAdmin, w => Post(w.Api("admin/members/delete"), new { emails = new[] { w.SpareEmail } })),
        new("POST", "/api/admin/members/grant-site-admin", Who.SiteAdmin, w => Post(w.Api("admin/members/grant-site-admin"), new { emails = new[] { w.SpareEmail } })),
        new("POST", "/api/admin/members/revoke-site-admin", Who.SiteAdmin, w => Post(w.Api("admin/members/revoke-site-admin"), new { emails = new[] { w.SecondAdminEmail } })),

        new("GET", "/api/spaces", Who.Member, w => Get(w.Api("spaces"))),
        new("POST", "/api/spaces", Who.SiteAdmin, w => Post(w.Api("spaces"), new { name = "新スペース" })),
        new("PATCH", "/api/spaces/{id}", Who.SiteAdmin, w => Send("PATCH", w.Api($"spaces/{w.EmptySpaceId}"), new { name = "改名" })),
        new("DELETE", "/api/spaces/{id}", Who.SiteAdmin, w => Send("DELETE", w.Api($"spaces/{w.EmptySpaceId}"))),
        new("GET", "/api/spaces/{id}/rooms", Who.Member, w => Get(w.Api($"spaces/{w.SpaceId}/rooms"))),
        new("POST", "/api/spaces/{id}/rooms", Who.SiteAdmin, w => Post(w.Api($"spaces/{w.SpaceId}/rooms"), new { name = "会議室" })),

        new("GET", "/api/rooms/{id}", Who.Member, w => Get(w.Api($"rooms/{w.RoomId}"))),
        new("PATCH", "/api/rooms/{id}", Who.RoomAdmin, w => Send("PATCH", w.Api($"rooms/{w.RoomId}"), new { description = "更新" })),
        new("DELETE", "/api/rooms/{id}", Who.RoomAdmin, w => Send("DELETE", w.Api($"rooms/{w.RoomId}"))),

        new("GET", "/api/trash", Who.SiteAdmin, w => Get(w.Api("trash"))),
        new("POST", "/api/trash/{roomId}/restore", Who.SiteAdmin, w => Send("POST", w.Api($"trash/{w.TrashedRoomId}/restore"))),
        new("DELETE", "/api/trash/{roomId}", Who.SiteAdmin, w => Send("DELETE", w.Api($"trash/{w.TrashedRoomId}"))),
        new("DELETE", "/api/trash", Who.SiteAdmin, w => Send("DELETE", w.Api("trash"))),

        new("POST", "/api/rooms/{id}/enter", Who.Member, w => Send("POST", w.Api($"rooms/{w.RoomId}/enter"))),
        new("POST", "/api/negotiate", Who.Member, w => Send("POST", w.Api($"negotiate?roomId={w.RoomId}"))),
        new("POST", "/api/rooms/{id}/media", Who.Member, w => Send("POST", w.Api($"rooms/{w.RoomId}/media"))),
        new("POST", "/api/rooms/{id}/images", Who.Member, w => Image(w.Api($"rooms/{w.RoomId}/images")), Allowed: s => s == 409),
        new("GET", "/api/rooms/{id}/images/{imageId}", Who.Member, w => Get(w.Api($"rooms/{w.RoomId}/images/none")), Allowed: s => s == 404),
        // R2 placed images: any member may ask; only the author or a room admin changes one (Live/Office/PlacedImageTests).
        new("PATCH", "/api/rooms/{id}/images/{imageId}", Who.Member, w => Send("PATCH", w.Api($"rooms/{w.RoomId}/images/none"), new { x = 1, y = 1 }), Allowed: s => s == 404),
        new("DELETE", "/api/rooms/{id}/images/{imageId}", Who.Member, w => Send("DELETE", w.Api($"rooms/{w.RoomId}/images/none")), Allowed: s => s == 404),
        // L5: only people inside the room see a member's schedule; the fresh world has nobody inside (Live/Office/SchedulePeekTests).
        new("GET", "/api/rooms/{id}/people/{email}/schedule", Who.Member, w => Get(w.Api($"rooms/{w.RoomId}/people/{w.UserEmail}/schedule")), Allowed: s => s == 409),
        new("GET", "/api/me/schedule-visibility", Who.Member, w => Get(w.Api("me/schedule-visibility"))),
        new("PUT", "/api/me/schedule-visibility", Who.Member, w => Send("PUT", w.Api("me/schedule-visibility"), new { mode = "busy" })),
        // The hub takes no site token at all: only the live-room token that "enter" hands out.
        new("*", "/api/hubs/room/negotiate", Who.LiveTicket, w => Send("POST", w.Api("hubs/room/negotiate?negotiateVersion=1"))),
        new("*", "/api/hubs/room", Who.LiveTicket, w => Get(w.Api("hubs/room"))),

        new("GET", "/api/rooms/{id}/settings", Who.Member, w => Get(w.Api($"rooms/{w.RoomId}/settings"))),
        new("PUT", "/api/rooms/{id}/settings", Who.RoomAdmin, w => Raw("PUT", w.Api($"rooms/{w.RoomId}/settings"), w.Settings, "application/json", w.SettingsETag)),
        new("PUT", "/api/rooms/{id}/background", Who.RoomAdmin, w => Raw("PUT", w.Api($"rooms/{w.RoomId}/background"), TestMedia.Png(320, 200), "image/png")),
        new("GET", "/api/rooms/{id}/background", Who.Member, w => Get(w.Api($"rooms/{w.BackgroundRoomId}/background"))),
        new("PUT", "/api/rooms/{id}/meeting-rooms/{mid}/bgm", Who.RoomAdmin, w => Raw("PUT", w.Api($"rooms/{w.RoomId}/meeting-rooms/guest-area/bgm"), TestMedia.Mp3(), "audio/mpeg")),
        new("GET", "/api/rooms/{id}/meeting-rooms/{mid}/bgm", Who.Member, w => Get(w.Api($"rooms/{w.RoomId}/meeting-rooms/guest-area/bgm")), Allowed: s => s == 404),
        new("GET", "/api/rooms/{id}/export", Who.RoomAdmin, w => Get(w.Api($"rooms/{w.RoomId}/export"))),
        new("POST", "/api/rooms/{id}/import", Who.RoomAdmin, w => Raw("POST", w.Api($"rooms/{w.RoomId}/import"), w.Zawa, "application/octet-stream")),

        // Schedules belong to their owner: each caller edits their own entry.
        new("GET", "/api/schedules", Who.Member, w => Get(w.Api("schedules?from=2026-12-01T00:00:00%2B09:00&to=2026-12-31T00:00:00%2B09:00"))),
        new("POST", "/api/schedules", Who.Member, w => Post(w.Api("schedules"), Entry("打合せ"))),
        new("PUT", "/api/schedules/{id}", Who.Member, w => Send("PUT", w.Api($"schedules/{w.EntryOfCaller}"), Entry("変更後"))),
        new("DELETE", "/api/schedules/{id}", Who.Member, w => Send("DELETE", w.Api($"schedules/{w.EntryOfCaller}"))),
        new("POST", "/api/schedules/import", Who.Member, w => Raw("POST", w.Api("schedules/import"),
            System.Text.Encoding.UTF8.GetBytes("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//walk//EN\r\nBEGIN:VEVENT\r\nUID:walk-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T010000Z\r\nDTEND:20261210T020000Z\r\nSUMMARY:定例\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), "text/calendar")),
        new("GET", "/api/admin/zoom", Who.SiteAdmin, w => Get(w.Api("admin/zoom"))),
        new("PUT", "/api/admin/zoom", Who.SiteAdmin, w => Send("PUT", w.Api("admin/zoom"), ZoomSettings())),
        new("GET", "/api/admin/zoom/members", Who.SiteAdmin, w => Get(w.Api("admin/zoom/members"))),
        new("PUT", "/api/admin/zoom/members", Who.SiteAdmin, w => Send("PUT", w.Api("admin/zoom/members"),
            new { items = new[] { new { email = w.UserEmail, zoomEnabled = false, zoomEmail = (string?)null } } })),
        // Z2 re-check: every unverified Zoom e-mail of the caller's site (none in the walk's world).
        new("POST", "/api/admin/zoom/members/verify", Who.SiteAdmin, w => Post(w.Api("admin/zoom/members/verify"), new { })),
        // Zoom sync is off in the walk's world: a site admin gets the clear refusal, never 401/403.
        new("POST", "/api/admin/zoom/sync", Who.SiteAdmin, w => Send("POST", w.Api("admin/zoom/sync")), Allowed: s => s == 409),
        new("GET", "/api/admin/zoom/status", Who.SiteAdmin, w => Get(w.Api("admin/zoom/status"))),
        // Zoom proves itself by signature, not by a bearer token: an unsigned call is refused for everyone.
        new("POST", "/api/webhooks/zoom", Who.Anyone, w => Post(w.Api("webhooks/zoom"), new { @event = "meeting.started", payload = new { } }), Allowed: s => s == 401),

        // G2: exports run in the background; the world holds a finished one started by each admin.
        new("POST", "/api/admin/logs/exports", Who.SiteAdmin, w => Post(w.Api("admin/logs/exports"), ExportRange(w.SpaceId))),
        new("POST", "/api/rooms/{id}/logs/exports", Who.RoomAdmin, w => Post(w.Api($"rooms/{w.RoomId}/logs/exports"), ExportRange(null))),
        new("GET", "/api/logs/exports/{id}", Who.Starter, w => Get(w.Api($"logs/exports/{w.ExportOfCaller}"))),
        new("GET", "/api/logs/exports/{id}/download", Who.Starter, w => Get(w.Api($"logs/exports/{w.ExportOfCaller}/download")),
            Prepare: w => w.ExportsFinished()),

        new("POST", "/operator/api/sites", Who.Operator, w => Post("/operator/api/sites",
            new { subdomain = "op" + Guid.NewGuid().ToString("N")[..6], adminEmail = "a@op.example", adminAuthType = "aad", maxUsersCount = 3 })),
        new("GET", "/operator/api/sites", Who.Operator, w => Get("/operator/api/sites")),
        new("GET", "/operator/api/sites/{sub}", Who.Operator, w => Get($"/operator/api/sites/{w.Site.Subdomain}")),
        new("PATCH", "/operator/api/sites/{sub}", Who.Operator, w => Send("PATCH", $"/operator/api/sites/{w.Site.Subdomain}", new { maxUsersCount = 60 })),
    ];

    /// <summary>Routes outside the APIs that are open by design (health, OpenAPI, the SPA fallback).</summary>
    static readonly HashSet<string> OpenByDesign = ["GET /healthz", "GET /openapi.json", " /{*path:nonfile}", "* {*path:nonfile}",
        // Azure SignalR Service's upstream (serverless): authenticated by the service's X-ASRS-Signature (HMAC of the
        // connection id with the AccessKey), not by a site role; a forged call is 401 (Live/AzureSignalR/UpstreamTests).
        "POST /api/realtime/upstream/{hub}/{category}/{event}"];

    [Fact]
    public void Every_registered_endpoint_is_classified()
    {
        var registered = RegisteredRoutes();
        var classified = Routes.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        var unclassified = registered.Where(r => !classified.Contains(r) && !OpenByDesign.Contains(r)).ToList();
        var stale = classified.Where(c => !registered.Contains(c)).ToList();

        Assert.True(unclassified.Count == 0, "Endpoints nobody classified in RouteTableWalkTests.Routes: " + string.Join(", ", unclassified));
        Assert.True(stale.Count == 0, "Classified routes the app does not register: " + string.Join(", ", stale));
    }

    [Fact]
    public void Every_api_endpoint_declares_its_access()
    {
        var missing = Endpoints()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api") || e.RoutePattern.RawText!.StartsWith("/operator/api"))
            .Where(e => e.Metadata.GetMetadata<AccessMetadata>() is null)
            .Select(e => e.DisplayName).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_api_route()
    {
        var doc = JsonDocument.Parse(await app.Anonymous().GetStringAsync("/openapi.json")).RootElement;
        var paths = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name.TrimEnd('/')}"))
            .ToHashSet();

        // The SignalR hub is a protocol endpoint, not a REST route: API.md documents it apart.
        var missing = Routes.Where(r => r.Who != Who.LiveTicket).Select(r => $"{r.Method} {r.Pattern}").Where(r => !paths.Contains(r)).ToList();

        Assert.True(missing.Count == 0, "Not in /openapi.json: " + string.Join(", ", missing));
    }

    public static IEnumerable<object[]> RouteNames() => Routes.Select(r => new object[] { $"{r.Method} {r.Pattern}" });

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task Each_role_gets_the_answer_the_permission_matrix_gives(string name)
    {
        var route = Routes.Single(r => $"{r.Method} {r.Pattern}" == name);
        var failures = new List<string>();

        foreach (var role in Enum.GetValues<Role>())
        {
            var world = await World.Create(app);
            var client = await world.Client(role);
            world.CallerEmail = world.EmailOf(role);
            if (route.Prepare is not null) await route.Prepare(world);
            var response = await client.SendAsync(route.Request(world));
            var status = (int)response.StatusCode;
            var expected = Expected(route.Who, role);
            if (route.Allowed is { } allowed && expected(200)) expected = allowed;
            if (!expected(status))
                failures.Add($"{role}: got {status} {await response.Content.ReadAsStringAsync()}");
            if (status >= 400)
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        if (route.Who == Who.LiveTicket)
        {
            var world = await World.Create(app);
            var member = await world.Client(Role.User);
            var entered = await Http.Ensure<JsonElement>(await member.PostAsync(world.Api($"rooms/{world.RoomId}/enter"), null));
            var ticketed = world.Site.Anonymous();
            ticketed.DefaultRequestHeaders.Authorization = new("Bearer", entered.GetProperty("negotiate").GetProperty("accessToken").GetString());
            var status = (int)(await ticketed.SendAsync(route.Request(world))).StatusCode;
            if (status is 401 or 403 or 404) failures.Add($"LiveTicket: got {status}");
        }
        if (route.Who == Who.Operator)
        {
            var response = await app.Operator().SendAsync(route.Request(await World.Create(app)));
            if (!response.IsSuccessStatusCode) failures.Add($"Operator: got {(int)response.StatusCode}");
        }
        Assert.True(failures.Count == 0, $"{name}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task Another_sites_ids_are_not_found_even_for_a_site_admin(string name)
    {
        var route = Routes.Single(r => $"{r.Method} {r.Pattern}" == name);
        if (!route.Pattern.Contains("{id}") && !route.Pattern.Contains("{roomId}")) return;

        var home = await World.Create(app);
        var foreign = await World.Create(app);
        // The request names the foreign world's ids but goes to the home site as its site admin.
        var request = route.Request(foreign);
        request.RequestUri = new Uri(request.RequestUri!.OriginalString.Replace($"/s/{foreign.Site.Subdomain}/", $"/s/{home.Site.Subdomain}/"), UriKind.Relative);
        var response = await (await home.Client(Role.SiteAdmin)).SendAsync(request);

        await Http.AssertProblem(response, 404, "not-found");
        // And nothing of the foreign site changed: its room and spaces are all still there.
        var foreignAdmin = await foreign.Client(Role.SiteAdmin);
        Assert.Equal(HttpStatusCode.OK, (await foreignAdmin.GetAsync(foreign.Api($"rooms/{foreign.RoomId}"))).StatusCode);
        var trash = await Http.Ensure<JsonElement>(await foreignAdmin.GetAsync(foreign.Api("trash")));
        Assert.Contains(trash.EnumerateArray(), r => r.GetProperty("id").GetString() == foreign.TrashedRoomId);
        var spaces = await Http.Ensure<JsonElement>(await foreignAdmin.GetAsync(foreign.Api("spaces")));
        Assert.Equal(2, spaces.GetArrayLength());
    }

    enum Role { Anonymous, OtherSiteMember, User, RoomAdmin, SiteAdmin }

    static Func<int, bool> Expected(Who who, Role role)
    {
        static bool Ok(int s) => s is >= 200 and < 300;
        return (who, role) switch
        {
            (Who.Anyone, _) => Ok,
            (Who.Operator or Who.LiveTicket, _) => s => s == 401, // a site token is neither an operator key nor a live ticket
            (_, Role.Anonymous or Role.OtherSiteMember) => s => s == 401,
            (Who.Member, _) => Ok,
            (Who.Starter, Role.User) => s => s == 404,
            (Who.Starter, _) => Ok,
            (Who.RoomAdmin, Role.User) => s => s == 403,
            (Who.RoomAdmin, _) => Ok,
            (Who.SiteAdmin, Role.SiteAdmin) => Ok,
            (Who.SiteAdmin, _) => s => s == 403,
            _ => _ => false,
        };
    }

    HashSet<string> RegisteredRoutes() => Endpoints()
        .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
            .Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
        .ToHashSet();

    IEnumerable<RouteEndpoint> Endpoints() => app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);
    static object Entry(string title) => new
    {
        title, start = "2026-12-10T10:00:00+09:00", end = "2026-12-10T11:00:00+09:00", allDay = false,
        location = "会議室", description = "", attendees = Array.Empty<string>(),
    };

    static object ExportRange(string? spaceId) => new { from = "2026-11-01T00:00:00+09:00", to = "2026-12-01T00:00:00+09:00", spaceId };

    static object ZoomSettings() => new
    {
        enabled = false, accountId = "acc", clientId = "cid", clientSecret = "secret", webhookSecretToken = "walk-webhook-secret",
        locationName = "Zoom 会議", timeZone = "Asia/Tokyo", onEntryRemoved = "delete", inviteAttendees = false,
    };

    static HttpRequestMessage Raw(string method, string url, byte[] body, string contentType, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent(body) { Headers = { ContentType = new(contentType) } } };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    static HttpRequestMessage Image(string url) => new(HttpMethod.Post, url)
    {
        Content = new ByteArrayContent(Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
        { Headers = { ContentType = new("image/png") } },
    };

    static HttpRequestMessage Post(string url, object body) => Send("POST", url, body);
    static HttpRequestMessage Send(string method, string url, object? body = null) =>
        new(new HttpMethod(method), url) { Content = body is null ? null : JsonContent.Create(body) };

    /// <summary>A fresh site for one call: members of every role, a space with a room, an empty space, a trashed room.</summary>
    sealed class World
    {
        public required TestSite Site { get; init; }
        public required TestSite OtherSite { get; init; }
        public required string SpaceId { get; init; }
        public required string EmptySpaceId { get; init; }
        public required string RoomId { get; init; }
        public required string TrashedRoomId { get; init; }
        /// <summary>A room whose background was uploaded.</summary>
        public required string BackgroundRoomId { get; init; }
        /// <summary>The room's settings as a site admin reads them, and their ETag, to PUT back.</summary>
        public required byte[] Settings { get; init; }
        public required string SettingsETag { get; init; }
        /// <summary>A .zawa file exported from another room of the site.</summary>
        public required byte[] Zawa { get; init; }
        public string UserEmail => $"user@{Site.Subdomain}.example";
        public string RoomAdminEmail => $"roomadmin@{Site.Subdomain}.example";
        public string SecondAdminEmail => $"admin2@{Site.Subdomain}.example";
        public string SpareEmail => $"spare@{Site.Subdomain}.example";
        public string Api(string path) => Site.Api(path);
        /// <summary>Who the request is built for; routes of one's own data (schedules) use it.</summary>
        public string CallerEmail { get; set; } = "";
        public required IReadOnlyDictionary<string, string> Entries { get; init; }
        public string EntryOfCaller => Entries.TryGetValue(CallerEmail, out var id) ? id : Entries[Site.AdminEmail];
        /// <summary>Finished log exports by who started them (the site admin and the room admin).</summary>
        public required IReadOnlyDictionary<string, string> Exports { get; init; }
        public string ExportOfCaller => Exports.TryGetValue(CallerEmail, out var id) ? id : Exports[Site.AdminEmail];

        public string EmailOf(Role role) => role switch
        {
            Role.User => UserEmail,
            Role.RoomAdmin => RoomAdminEmail,
            _ => Site.AdminEmail,
        };

        public static async Task<World> Create(TestApp app)
        {
            var site = await app.CreateSite("w" + Guid.NewGuid().ToString("N")[..8]);
            var other = await app.CreateSite("o" + Guid.NewGuid().ToString("N")[..8]);
            var admin = await site.Admin();
            foreach (var email in new[] { $"user@{site.Subdomain}.example", $"roomadmin@{site.Subdomain}.example",
                         $"admin2@{site.Subdomain}.example", $"spare@{site.Subdomain}.example" })
                await site.AddMember(email);
            await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/grant-site-admin"), new { emails = new[] { $"admin2@{site.Subdomain}.example" } }));
            var space = await site.AddSpace();
            var empty = await site.AddSpace("空のスペース");
            var room = await site.AddRoom(space);
            await site.MakeRoomAdmin(room, $"roomadmin@{site.Subdomain}.example");
            var trashed = await site.AddRoom(space, "古い部屋");
            await Http.Ensure(await admin.DeleteAsync(site.Api($"rooms/{trashed}")));
            var pictured = await site.AddRoom(space, "写真の部屋");
            await Http.Ensure(await admin.SendAsync(Raw("PUT", site.Api($"rooms/{pictured}/background"), TestMedia.Png(320, 200), "image/png")));
            var zawa = await (await admin.GetAsync(site.Api($"rooms/{pictured}/export"))).Content.ReadAsByteArrayAsync();
            var settings = await admin.GetAsync(site.Api($"rooms/{room}/settings"));
            await Http.Ensure(settings);
            await Http.Ensure(await admin.SendAsync(Send("PUT", site.Api("admin/zoom"), ZoomSettings())));
            var entries = new Dictionary<string, string>();
            foreach (var email in new[] { site.AdminEmail, $"user@{site.Subdomain}.example", $"roomadmin@{site.Subdomain}.example" })
            {
                var owner = await site.As(email);
                var entry = await Http.Ensure<JsonElement>(await owner.SendAsync(Post(site.Api("schedules"), Entry("自分の予定"))));
                entries[email] = entry.GetProperty("id").GetString()!;
            }
            var exports = new Dictionary<string, string>
            {
                [site.AdminEmail] = await StartExport(admin, Post(site.Api("admin/logs/exports"), ExportRange(space))),
                [$"roomadmin@{site.Subdomain}.example"] = await StartExport(await site.As($"roomadmin@{site.Subdomain}.example"),
                    Post(site.Api($"rooms/{room}/logs/exports"), ExportRange(null))),
            };
            return new World
            {
                Site = site, OtherSite = other, SpaceId = space, EmptySpaceId = empty, RoomId = room, TrashedRoomId = trashed,
                BackgroundRoomId = pictured, Settings = await settings.Content.ReadAsByteArrayAsync(),
                SettingsETag = settings.Headers.ETag!.ToString(), Zawa = zawa, Entries = entries, Exports = exports,
            };
        }

        static async Task<string> StartExport(HttpClient client, HttpRequestMessage start) =>
            (await Http.Ensure<JsonElement>(await client.SendAsync(start))).GetProperty("id").GetString()!;

        /// <summary>Waits until the world's exports have run (they are started, not awaited, when the world is made).</summary>
        public async Task ExportsFinished()
        {
            var admin = await Site.Admin();
            foreach (var id in Exports.Values) await Logs.LogExportApiTests.WaitDone(admin, Site, id);
        }

        public async Task<HttpClient> Client(Role role) => role switch
        {
            Role.Anonymous => Site.Anonymous(),
            // A valid token of another site, presented to this one.
            Role.OtherSiteMember => await OtherSite.Admin(),
            Role.User => await Site.As(UserEmail),
            Role.RoomAdmin => await Site.As(RoomAdminEmail),
            _ => await Site.Admin(),
        };
    }
}
