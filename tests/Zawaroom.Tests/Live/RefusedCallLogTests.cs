using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>
/// A client that hammers the hub is answered (each refused call gets its error) but cannot fill the
/// log: refusals are noted briefly, without stack traces, at most at Information.
/// </summary>
public sealed class RefusedCallLogTests : IClassFixture<RefusedCallLogTests.LoggedApp>
{
    public sealed class LoggedApp : IAsyncLifetime
    {
        public LogCapture Logs { get; } = new();
        public TestApp App { get; } = new();
        public Task InitializeAsync()
        {
            App.WithServices(s => s.AddSingleton<ILoggerProvider>(Logs));
            return App.InitializeAsync();
        }
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    readonly LoggedApp _world;
    public RefusedCallLogTests(LoggedApp world) => _world = world;

    [Fact]
    public async Task A_thousand_refused_calls_are_each_answered_and_grow_the_log_by_a_few_KB_without_stack_traces()
    {
        var site = await _world.App.CreateSite("loud");
        await site.AddMember("alice@loud.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@loud.example", room);
        var before = _world.Logs.Bytes;
        var linesBefore = _world.Logs.Lines.Count;

        // 1,000 calls at once: the command bucket (10) lets a few through, the rest are rate-limited;
        // 100 invalid ones (validation) on top.
        var calls = Enumerable.Range(0, 1000).Select(i => Outcome(alice.Invoke("SetStatus", new { status = $"s{i % 7}", cid = $"c{i}" })))
            .Concat(Enumerable.Range(0, 100).Select(i => Outcome(alice.Invoke("Viewport", new { x = 0, y = 0, width = -1, height = 10 }))));
        var outcomes = await Task.WhenAll(calls);

        Assert.True(outcomes.Count(o => o?.Contains("rate-limited:") == true) >= 980, "the calls beyond the burst are answered rate-limited");
        Assert.Equal(100, outcomes.Count(o => o?.Contains("validation:") == true));
        var grown = _world.Logs.Bytes - before;
        var lines = _world.Logs.Lines.Skip(linesBefore).ToList();
        Assert.All(lines, l => Assert.Null(l.Exception));
        Assert.All(lines, l => Assert.True(l.Level <= LogLevel.Information, $"{l.Level}: {l.Text}"));
        Assert.True(grown < 4 * 1024, $"the log grew by {grown} bytes in {lines.Count} lines");
    }

    static async Task<string?> Outcome(Task call)
    {
        try
        {
            await call;
            return null;
        }
        catch (HubException e)
        {
            return e.Message;
        }
    }
}
