using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;
using Zawaroom.ZoomSync.InProcess;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>The app with its Zoom sync rounds on: a 1 s durable timer between rounds, run by the real DurableTask SDK.</summary>
public sealed class RoundsWorld : IAsyncLifetime
{
    public ZoomWorld Inner { get; } = new();

    public async Task InitializeAsync()
    {
        Inner.Overrides["Zawaroom:Zoom:Timer"] = "true";
        Inner.Overrides["Zawaroom:Zoom:SyncInterval"] = "00:00:01";
        await Inner.InitializeAsync();
    }

    public Task DisposeAsync() => Inner.DisposeAsync();
}

public sealed class ZoomSyncRoundsTests(RoundsWorld rounds) : IClassFixture<RoundsWorld>
{
    static async Task<long> RoundOf(DurableTaskClient client)
    {
        var instance = await client.GetInstanceAsync(ZoomSyncOrchestration.RoundsInstanceId, getInputsAndOutputs: true);
        return instance?.ReadInputAs<SyncRounds>()?.Round ?? -1;
    }

    static async Task<long> WaitForRound(DurableTaskClient client, long round)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var current = await RoundOf(client);
            if (current >= round) return current;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The sync rounds did not reach round {round}.");
    }

    [Fact]
    public async Task The_first_round_creates_what_the_window_needs_and_the_next_round_after_the_durable_timer_makes_no_zoom_call()
    {
        var world = rounds.Inner;
        var z = await ZoomSite.Create(world, "zo_rounds", members: "alice@rounds.example");
        await z.AddEntry("alice@rounds.example");
        await z.AddEntry("alice@rounds.example", start: "2026-12-09T10:00:00+09:00", recurrence: "FREQ=WEEKLY;BYDAY=WE;COUNT=4");
        await z.AddEntry("alice@rounds.example", start: "2027-03-01T10:00:00+09:00"); // outside the window
        var client = await world.App.Services.GetRequiredService<InProcessZoomSync>().Client(default);

        // A round that starts after the entries exist has made their meetings by the time the next one starts.
        var first = await WaitForRound(client, await RoundOf(client) + 1);
        await WaitForRound(client, first + 1);
        Assert.Equal(2, z.MeetingsOf("alice@rounds.example").Count);
        var calls = world.Zoom.ApiCalls;

        await WaitForRound(client, first + 3);

        Assert.Equal(calls, world.Zoom.ApiCalls);
        Assert.Equal(2, z.MeetingsOf("alice@rounds.example").Count);
        var status = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/status")));
        Assert.Equal("done", status.GetProperty("outcome").GetString());
        Assert.Equal(0, status.GetProperty("created").GetInt32());
    }
}

public sealed class ZoomSyncOrchestrationTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task A_run_that_crashes_between_zooms_create_and_our_record_is_retried_and_leaves_exactly_one_meeting()
    {
        var z = await ZoomSite.Create(world, "zo_crash", members: "alice@ocrash.example");
        var id = await z.AddEntry("alice@ocrash.example");
        var creates = world.Zoom.Creates;

        world.Faults.Step = "zoom-created";
        var result = await z.Sync();

        Assert.Equal("done", result.GetProperty("outcome").GetString());
        Assert.Equal(creates + 1, world.Zoom.Creates);
        var meeting = Assert.Single(z.MeetingsOf("alice@ocrash.example"));
        var zoom = (await z.Entry("alice@ocrash.example", id)).GetProperty("zoom");
        Assert.Equal("linked", zoom.GetProperty("state").GetString());
        Assert.Equal((string?)meeting["join_url"], zoom.GetProperty("joinUrl").GetString());
        var status = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/status")));
        Assert.Contains(status.GetProperty("audit").EnumerateArray(), a => a.GetProperty("operation").GetString() == "recover");
    }

    [Fact]
    public async Task Two_sync_nows_for_one_site_at_once_are_one_run()
    {
        var z = await ZoomSite.Create(world, "zo_twice", members: "alice@otwice.example");
        for (var i = 0; i < 8; i++) await z.AddEntry("alice@otwice.example", start: $"2026-12-{10 + i}T10:00:00+09:00");
        var creates = world.Zoom.Creates;
        var admin = await z.Site.Admin();

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => admin.PostAsync(z.Site.Api("admin/zoom/sync"), null)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var results = await Task.WhenAll(answers.Select(a => a.Content.ReadFromJsonAsync<JsonElement>()));
        // Both callers were answered by the one run: neither was refused as busy, and the meetings were made once.
        Assert.All(results, r => Assert.Equal(8, r.GetProperty("created").GetInt32()));
        Assert.Equal(creates + 8, world.Zoom.Creates);
        Assert.Equal(8, z.MeetingsOf("alice@otwice.example").Count);
    }

    [Fact]
    public async Task A_429_storm_is_waited_out_by_the_orchestration_within_one_sync_now_with_nothing_lost()
    {
        var z = await ZoomSite.Create(world, "zo_storm", members: "alice@ostorm.example");
        for (var i = 0; i < 6; i++) await z.AddEntry("alice@ostorm.example", start: $"2026-12-{10 + i}T10:00:00+09:00");

        // More 429s than the HTTP retries of one call take: the run stops, and the orchestration tries it again.
        world.Zoom.FailNext(20, HttpStatusCode.TooManyRequests);
        var result = await z.Sync();

        Assert.Equal("done", result.GetProperty("outcome").GetString());
        Assert.Equal(6, z.MeetingsOf("alice@ostorm.example").Count);
        Assert.Equal(6, z.MeetingsOf("alice@ostorm.example").Select(m => DesiredMeetings.KeyIn((string?)m["agenda"])).Distinct().Count());
    }
}

/// <summary>The app with one HTTP retry toward Zoom, so that most of a 429 storm is left to the orchestration's retry.</summary>
public sealed class NoHttpRetryWorld : IAsyncLifetime
{
    public ZoomWorld Inner { get; } = new();

    public async Task InitializeAsync()
    {
        Inner.Overrides["Zawaroom:Zoom:MaxRetries"] = "1";
        await Inner.InitializeAsync();
    }

    public Task DisposeAsync() => Inner.DisposeAsync();
}

public sealed class ZoomSyncRetryAfterTests(NoHttpRetryWorld retry) : IClassFixture<NoHttpRetryWorld>
{
    [Fact]
    public async Task The_orchestration_waits_zooms_retry_after_before_trying_a_rate_limited_run_again()
    {
        var world = retry.Inner;
        var z = await ZoomSite.Create(world, "zo_after", members: "alice@after.example");
        await z.AddEntry("alice@after.example");
        world.Zoom.RetryAfterSeconds = 1;
        // Each attempt of the run: its call, one HTTP retry after Zoom's second (Polly), then the run stops.
        world.Zoom.FailNext(4, HttpStatusCode.TooManyRequests);
        var watch = Stopwatch.StartNew();

        var result = await z.Sync();

        // Two HTTP retries waited 1 s each; the orchestration's own waits (20 ms and 40 ms by backoff) were Zoom's 1 s too.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(3.9), $"took {watch.Elapsed}");
        Assert.Equal("done", result.GetProperty("outcome").GetString());
        Assert.Single(z.MeetingsOf("alice@after.example"));
    }
}
