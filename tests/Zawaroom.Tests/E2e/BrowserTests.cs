using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit.Abstractions;
using Zawaroom.Presence;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// The web app in headless Chromium (tests/e2e/app.test.mjs, playwright-core driving Debian's
/// /usr/bin/chromium) against the real app on a loopback port. The browser tests fail, never skip,
/// when chromium or the npm packages are missing: tests/setup.d/30-web.sh installs them.
/// Screenshots land in tests/e2e/screenshots/.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class BrowserTests(BrowserTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<BrowserTests.Fixture>
{
    /// <summary>The app with a presence the test sets, until the live room writes real presence.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public SetPresence Presence { get; } = new();
        public TestApp App { get; }

        public Fixture() => App = new TestApp().WithServices(services =>
        {
            services.RemoveAll<IPresenceReader>();
            services.AddSingleton<IPresenceReader>(Presence);
        });

        public Task InitializeAsync() => App.InitializeAsync();
        Task IAsyncLifetime.DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    public sealed class SetPresence : IPresenceReader
    {
        readonly ConcurrentDictionary<string, IReadOnlyList<Occupant>> _rooms = new();
        public void Inside(string roomId, params Occupant[] people) => _rooms[roomId] = people;
        public Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct) =>
            Task.FromResult(_rooms.TryGetValue(roomId, out var people) ? people : []);
    }

    readonly TestApp app = fixture.App;


    [Fact]
    public async Task The_web_app_works_in_a_real_browser()
    {
        NodeScripts.RequireBrowser();
        var index = await app.Anonymous().GetAsync("/index.html");
        Assert.True(index.IsSuccessStatusCode, "The app serves no index.html: the build did not put static-web/dist into functions/wwwroot.");

        var site = await app.CreateSite("e2e", maxUsersCount: 20);
        var user = await site.AddMember("user@e2e.example");
        // Two people are inside one room (P3, P4): its card shows them, and it cannot be deleted.
        var occupied = await site.AddRoom(await site.AddSpace("在室テスト"), "満室ルーム");
        fixture.Presence.Inside(occupied, new Occupant("sato@e2e.example", "佐藤"), new Occupant("suzuki@e2e.example", "鈴木"));

        var (exitCode, text) = await NodeScripts.Run("app.test.mjs", new Dictionary<string, string>
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = user,
            ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
            ["NO_COLOR"] = "1",
        });
        Assert.True(exitCode == 0, $"The browser tests failed (exit {exitCode}):\n{text}");
        output.WriteLine(text);
    }
}
