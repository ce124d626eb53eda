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

    const string Chromium = "/usr/bin/chromium";
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_web_app_works_in_a_real_browser()
    {
        var root = RepositoryRoot();
        var e2e = Path.Combine(root, "tests", "e2e");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run tests/setup.d/30-web.sh (apt-get install chromium).");
        Assert.True(Directory.Exists(Path.Combine(e2e, "node_modules", "playwright-core")),
            "tests/e2e/node_modules is missing: run tests/setup.d/30-web.sh (npm ci).");
        var index = await app.Anonymous().GetAsync("/index.html");
        Assert.True(index.IsSuccessStatusCode, "The app serves no index.html: the build did not put static-web/dist into functions/wwwroot.");

        var site = await app.CreateSite("e2e", maxUsersCount: 20);
        var user = await site.AddMember("user@e2e.example");
        // Two people are inside one room (P3, P4): its card shows them, and it cannot be deleted.
        var occupied = await site.AddRoom(await site.AddSpace("在室テスト"), "満室ルーム");
        fixture.Presence.Inside(occupied, new Occupant("sato@e2e.example", "佐藤"), new Occupant("suzuki@e2e.example", "鈴木"));

        var (exitCode, text) = await RunNode(e2e, "app.test.mjs", new Dictionary<string, string>
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = user,
            ["ZAWAROOM_CHROMIUM"] = Chromium,
            ["NO_COLOR"] = "1",
        });
        Assert.True(exitCode == 0, $"The browser tests failed (exit {exitCode}):\n{text}");
        output.WriteLine(text);
    }

    async Task<(int ExitCode, string Output)> RunNode(string workingDirectory, string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", ["--test-reporter=spec", script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"Stopped after {Limit}.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, $"{await stdout}\n{await stderr}".Trim());
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Zawaroom.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("Zawaroom.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
