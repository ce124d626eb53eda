using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Crashes the sync once at the named step, as a process dying there would.</summary>
public sealed class CrashOnce : IZoomSyncFaults
{
    public volatile string? Step;
    /// <summary>Runs at every step, as another process acting while this one is there would.</summary>
    public volatile Action<string>? OnStep;
    /// <summary>Crashes once at <paramref name="step"/>, after <paramref name="meanwhile"/> happened (a user's change while the process died).</summary>
    public void CrashAt(string step, Func<Task> meanwhile) => OnStep = s =>
    {
        if (s != step) return;
        OnStep = null;
        meanwhile().GetAwaiter().GetResult();
        throw new InvalidOperationException("simulated crash at " + step);
    };

    public void At(string step)
    {
        OnStep?.Invoke(step);
        if (step != Step) return;
        Step = null;
        throw new InvalidOperationException("simulated crash at " + step);
    }
}

/// <summary>The app and a Zoom stand-in, on a clock fixed at 2 December 2026 (window: December to February).</summary>
public sealed class ZoomWorld : IAsyncLifetime
{
    public ZoomStandIn Zoom { get; private set; } = null!;
    public TestApp App { get; } = new();
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-12-02T00:00:00Z"));
    public CrashOnce Faults { get; } = new();
    /// <summary>Settings that replace the world's defaults (set before InitializeAsync).</summary>
    public Dictionary<string, string> Overrides { get; } = new();

    public async Task InitializeAsync()
    {
        Zoom = await ZoomStandIn.Start();
        Zoom.Now = () => Clock.GetUtcNow();
        App.Clock = Clock;
        App.With("Zawaroom:Zoom:OAuthUrl", Zoom.OAuthUrl).With("Zawaroom:Zoom:ApiBaseUrl", Zoom.ApiBaseUrl)
            .With("Zawaroom:Zoom:Timer", "false").With("Zawaroom:Zoom:RetryDelay", "00:00:00.020")
            // The stand-in serves the feed on loopback, which only this explicit setting allows.
            .With("Zawaroom:Schedules:AllowPrivateFeedHosts", "true")
            .WithServices(s => s.Replace(ServiceDescriptor.Singleton<IZoomSyncFaults>(Faults)));
        foreach (var (key, value) in Overrides) App.With(key, value);
        await App.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await Zoom.DisposeAsync();
    }
}

/// <summary>A site with Zoom sync on and members whose Zoom users exist.</summary>
public sealed class ZoomSite
{
    public required TestSite Site { get; init; }
    public required HttpClient Admin { get; init; }
    public required ZoomStandIn Zoom { get; init; }
    public const string WebhookSecret = "whsec-test";

    public static async Task<ZoomSite> Create(ZoomWorld world, string sub, object? settings = null, params string[] members)
    {
        var site = await world.App.CreateSite(sub);
        var admin = await site.Admin();
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom"), settings ?? new
        {
            enabled = true, accountId = ZoomStandIn.AccountId, clientId = ZoomStandIn.ClientId, clientSecret = ZoomStandIn.ClientSecret,
            webhookSecretToken = WebhookSecret, timeZone = "Asia/Tokyo", inviteAttendees = true,
        }));
        var zoomSite = new ZoomSite { Site = site, Admin = admin, Zoom = world.Zoom };
        foreach (var m in members) await zoomSite.AddZoomMember(m);
        return zoomSite;
    }

    public string ZoomEmail(string member) => $"{member.Split('@')[0]}.{Site.Subdomain}@zoom.example";

    public async Task AddZoomMember(string email)
    {
        await Site.AddMember(email);
        Zoom.AddUser(ZoomEmail(email));
        await Http.Ensure(await Admin.PutAsJsonAsync(Site.Api("admin/zoom/members"), new { items = new[] { new { email, zoomEnabled = true, zoomEmail = ZoomEmail(email) } } }));
    }

    public async Task<string> AddEntry(string member, string start = "2026-12-07T10:00:00+09:00", string location = "Zoom 会議",
        string[]? attendees = null, string? recurrence = null, string title = "定例")
    {
        var client = await Site.As(member);
        var s = DateTimeOffset.Parse(start);
        var entry = await Http.Ensure<JsonElement>(await client.PostAsJsonAsync(Site.Api("schedules"), new
        {
            title, start, end = s.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), allDay = false, location, description = "議題",
            attendees = attendees ?? [], recurrence,
        }));
        return entry.GetProperty("id").GetString()!;
    }

    public async Task ChangeEntry(string member, string id, string start, string location = "Zoom 会議", string[]? attendees = null)
    {
        var client = await Site.As(member);
        var s = DateTimeOffset.Parse(start);
        await Http.Ensure(await client.PutAsJsonAsync(Site.Api($"schedules/{id}"), new
        {
            title = "定例", start, end = s.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), allDay = false, location, description = "議題",
            attendees = attendees ?? [],
        }));
    }

    public async Task<JsonElement> Sync()
    {
        var admin = await Site.Admin(); // a fresh login: tests move the clock by days
        var response = await admin.PostAsync(Site.Api("admin/zoom/sync"), null);
        return await Http.Ensure<JsonElement>(response);
    }

    public async Task<JsonElement> Entry(string member, string id)
    {
        var client = await Site.As(member);
        var all = await Http.Ensure<JsonElement>(await client.GetAsync(Site.Api("schedules?from=2026-01-01T00:00:00Z&to=2027-01-31T00:00:00Z")));
        return all.EnumerateArray().First(e => e.GetProperty("id").GetString() == id);
    }

    public List<System.Text.Json.Nodes.JsonObject> MeetingsOf(string member) => Zoom.MeetingsOf(ZoomEmail(member));
}

public sealed class ZoomSyncTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task An_entry_gets_a_meeting_a_time_change_updates_it_in_place_and_deleting_the_entry_deletes_it()
    {
        var z = await ZoomSite.Create(world, "zs_life", members: "alice@life.example");
        var id = await z.AddEntry("alice@life.example", attendees: ["bob@life.example"]);

        var first = await z.Sync();
        Assert.Equal(1, first.GetProperty("created").GetInt32());
        var meeting = Assert.Single(z.MeetingsOf("alice@life.example"));
        Assert.Equal("bob@life.example", (string?)meeting["settings"]!["meeting_invitees"]![0]!["email"]);
        var entry = await z.Entry("alice@life.example", id);
        Assert.Equal("linked", entry.GetProperty("zoom").GetProperty("state").GetString());
        Assert.Equal((string?)meeting["join_url"], entry.GetProperty("zoom").GetProperty("joinUrl").GetString());

        await z.ChangeEntry("alice@life.example", id, "2026-12-08T15:00:00+09:00");
        var second = await z.Sync();
        Assert.Equal(1, second.GetProperty("updated").GetInt32());
        var moved = Assert.Single(z.MeetingsOf("alice@life.example"));
        Assert.Equal((long)meeting["id"]!, (long)moved["id"]!);
        Assert.Equal("2026-12-08T15:00:00", (string?)moved["start_time"]);

        var alice = await z.Site.As("alice@life.example");
        await Http.Ensure(await alice.DeleteAsync(z.Site.Api($"schedules/{id}")));
        Assert.Equal(1, (await z.Sync()).GetProperty("deleted").GetInt32());
        Assert.Empty(z.MeetingsOf("alice@life.example"));

        var status = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/status")));
        Assert.Equal(["delete", "update", "create"], status.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("operation").GetString()!).ToArray());
        Assert.NotNull(status.GetProperty("lastRun").GetString());
    }

    [Fact]
    public async Task A_second_run_with_nothing_changed_makes_no_zoom_call()
    {
        var z = await ZoomSite.Create(world, "zs_idle", members: "alice@idle.example");
        await z.AddEntry("alice@idle.example");
        await z.AddEntry("alice@idle.example", recurrence: "FREQ=WEEKLY;BYDAY=TU;COUNT=6");
        await z.Sync();
        var calls = world.Zoom.ApiCalls;

        var again = await z.Sync();

        Assert.Equal(0, again.GetProperty("zoomCalls").GetInt32());
        Assert.Equal(calls, world.Zoom.ApiCalls);
        var recurring = z.MeetingsOf("alice@idle.example").Single(m => (int)m["type"]! == 8);
        Assert.Equal("3", (string?)recurring["recurrence"]!["weekly_days"]);
    }

    [Fact]
    public async Task Removing_the_location_deletes_the_meeting_or_keeps_it_when_the_site_says_keep()
    {
        var z = await ZoomSite.Create(world, "zs_loc", members: "alice@loc.example");
        var deleted = await z.AddEntry("alice@loc.example");
        await z.Sync();
        await z.ChangeEntry("alice@loc.example", deleted, "2026-12-07T10:00:00+09:00", location: "会議室 A");
        await z.Sync();
        Assert.Empty(z.MeetingsOf("alice@loc.example"));

        await Http.Ensure(await z.Admin.PutAsJsonAsync(z.Site.Api("admin/zoom"), new { onEntryRemoved = "keep" }));
        var kept = await z.AddEntry("alice@loc.example");
        await z.Sync();
        await z.ChangeEntry("alice@loc.example", kept, "2026-12-07T10:00:00+09:00", location: "会議室 A");
        await z.Sync();
        Assert.Single(z.MeetingsOf("alice@loc.example"));
        Assert.Equal("none", (await z.Entry("alice@loc.example", kept)).GetProperty("zoom").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Entries_outside_the_window_or_elsewhere_or_of_members_without_zoom_get_no_meeting()
    {
        var z = await ZoomSite.Create(world, "zs_out", members: "alice@out.example");
        await z.Site.AddMember("carol@out.example");
        await z.AddEntry("alice@out.example", start: "2027-03-01T10:00:00+09:00");
        await z.AddEntry("alice@out.example", start: "2026-11-30T10:00:00+09:00");
        await z.AddEntry("alice@out.example", location: "本社 3F");
        await z.AddEntry("carol@out.example");
        await z.AddEntry("alice@out.example", start: "2027-02-28T10:00:00+09:00", location: "ＺＯＯＭ　会議");

        Assert.Equal(1, (await z.Sync()).GetProperty("created").GetInt32());
        Assert.Equal("2027-02-28T10:00:00", (string?)Assert.Single(z.MeetingsOf("alice@out.example"))["start_time"]);
    }

    [Fact]
    public async Task A_crash_at_a_random_step_of_a_create_never_leaves_two_meetings_for_one_entry()
    {
        string[] members = ["a@crash.example", "b@crash.example", "c@crash.example"];
        var z = await ZoomSite.Create(world, "zs_crash", members: members);
        string[] steps = ["intent-written", "zoom-created", "link-written", "none"];
        var random = new Random(20261202);
        for (var run = 0; run < 100; run++)
        {
            var member = members[run % members.Length];
            await z.AddEntry(member, start: DateTimeOffset.Parse("2026-12-03T09:00:00+09:00").AddHours(run).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), title: $"会議 {run}");
            world.Faults.Step = steps[random.Next(steps.Length)];
            await z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null); // may die half-way
            world.Faults.Step = null;
            await z.Sync();
        }

        var meetings = members.SelectMany(z.MeetingsOf).ToList();
        Assert.Equal(100, meetings.Count);
        Assert.Equal(100, meetings.Select(m => DesiredMeetings.KeyIn((string?)m["agenda"])).Distinct().Count());
    }

    [Fact]
    public async Task Two_runs_at_once_make_no_duplicate()
    {
        var z = await ZoomSite.Create(world, "zs_twice", members: "alice@twice.example");
        for (var i = 0; i < 10; i++) await z.AddEntry("alice@twice.example", start: $"2026-12-{10 + i}T10:00:00+09:00");

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null)));
        Assert.All(runs, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted));
        await z.Sync();

        Assert.Equal(10, z.MeetingsOf("alice@twice.example").Count);
    }

    [Fact]
    public async Task A_429_storm_and_a_spent_daily_budget_finish_later_with_nothing_lost()
    {
        var z = await ZoomSite.Create(world, "zs_storm", members: "alice@storm.example");
        for (var i = 0; i < 6; i++) await z.AddEntry("alice@storm.example", start: $"2026-12-{10 + i}T10:00:00+09:00");

        world.Zoom.FailNext(40, HttpStatusCode.TooManyRequests);
        for (var i = 0; i < 8 && z.MeetingsOf("alice@storm.example").Count < 6; i++) await z.Sync();
        Assert.Equal(6, z.MeetingsOf("alice@storm.example").Count);

        world.Zoom.DailyLimit = 2;
        try
        {
            var later = new List<string>();
            for (var i = 0; i < 4; i++) later.Add(await z.AddEntry("alice@storm.example", start: $"2026-12-{20 + i}T10:00:00+09:00"));
            var limited = await z.Sync();
            Assert.Equal(6, z.MeetingsOf("alice@storm.example").Count); // the stand-in's 2 were spent by the storm's creates today
            Assert.Equal(4, limited.GetProperty("deferred").GetInt32());
            Assert.Equal("deferred", (await z.Entry("alice@storm.example", later[0])).GetProperty("zoom").GetProperty("state").GetString());

            world.Clock.Advance(TimeSpan.FromDays(1));
            await z.Sync();
            await z.Sync();
            world.Clock.Advance(TimeSpan.FromDays(1));
            await z.Sync();
            Assert.Equal(10, z.MeetingsOf("alice@storm.example").Count);
        }
        finally
        {
            world.Zoom.DailyLimit = 100;
        }
    }
}
