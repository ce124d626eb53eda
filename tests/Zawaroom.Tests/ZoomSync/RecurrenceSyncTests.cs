using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Z3 exceptions against the stand-in, which keeps each recurring meeting's occurrences.</summary>
public sealed class RecurrenceSyncTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    const string Rule = "FREQ=WEEKLY;BYDAY=MO;COUNT=8";

    static async Task PutSeries(ZoomSite z, string member, string id, string start = "2026-12-07T10:00:00+09:00", string[]? exdates = null,
        object[]? moved = null)
    {
        var client = await z.Site.As(member);
        var s = DateTimeOffset.Parse(start);
        await Http.Ensure(await client.PutAsJsonAsync(z.Site.Api($"schedules/{id}"), new
        {
            title = "定例", start, end = s.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), allDay = false, location = "Zoom 会議",
            description = "議題", attendees = Array.Empty<string>(), recurrence = Rule, exdates, moved,
        }));
    }

    static readonly object MoveDec21 = new { occurrence = "2026-12-21T10:00:00+09:00", start = "2026-12-22T15:00:00+09:00", end = "2026-12-22T16:30:00+09:00" };

    static Dictionary<string, (string Start, int Duration, string Status)> ByStart(ZoomSite z, long meetingId) =>
        z.Zoom.OccurrencesOf(meetingId).ToDictionary(
            o => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(o.Id)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), o => (o.Start, o.Duration, o.Status));

    [Fact]
    public async Task An_exdate_deletes_and_a_moved_occurrence_updates_that_occurrence_of_the_one_recurring_meeting()
    {
        var z = await ZoomSite.Create(world, "zr_exc", members: "alice@exc.example");
        var id = await z.AddEntry("alice@exc.example", recurrence: Rule);
        await z.Sync();
        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@exc.example"))["id"]!;
        Assert.Equal(8, z.Zoom.OccurrencesOf(meetingId).Count);

        await PutSeries(z, "alice@exc.example", id, exdates: ["2026-12-14T10:00:00+09:00"], moved: [MoveDec21]);
        var run = await z.Sync();

        var meeting = Assert.Single(z.MeetingsOf("alice@exc.example"));
        Assert.Equal(meetingId, (long)meeting["id"]!);
        Assert.Equal(8, (int)meeting["type"]!);
        var occurrences = ByStart(z, meetingId);
        Assert.Equal("deleted", occurrences["2026-12-14T01:00:00Z"].Status);
        Assert.Equal(("2026-12-22T06:00:00Z", 90, "available"), occurrences["2026-12-21T01:00:00Z"]);
        Assert.Equal(("2026-12-28T01:00:00Z", 60, "available"), occurrences["2026-12-28T01:00:00Z"]);
        Assert.Equal((0, 1, 1), (run.GetProperty("created").GetInt32(), run.GetProperty("updated").GetInt32(), run.GetProperty("deleted").GetInt32()));
        Assert.Equal(0, (await z.Sync()).GetProperty("zoomCalls").GetInt32());

        // Taking the move back puts the occurrence back at its own time, still in the same meeting.
        await PutSeries(z, "alice@exc.example", id, exdates: ["2026-12-14T10:00:00+09:00"]);
        await z.Sync();
        Assert.Equal(meetingId, (long)Assert.Single(z.MeetingsOf("alice@exc.example"))["id"]!);
        Assert.Equal(("2026-12-21T01:00:00Z", 60, "available"), ByStart(z, meetingId)["2026-12-21T01:00:00Z"]);
        Assert.Equal("deleted", ByStart(z, meetingId)["2026-12-14T01:00:00Z"].Status);
        Assert.Equal(0, (await z.Sync()).GetProperty("zoomCalls").GetInt32());

        // Taking the EXDATE back: Zoom cannot undelete an occurrence, so the series is made anew, once.
        await PutSeries(z, "alice@exc.example", id);
        await z.Sync();
        var anew = Assert.Single(z.MeetingsOf("alice@exc.example"));
        Assert.All(z.Zoom.OccurrencesOf((long)anew["id"]!), o => Assert.Equal("available", o.Status));
        var entry = await z.Entry("alice@exc.example", id);
        Assert.Equal((string?)anew["join_url"], entry.GetProperty("zoom").GetProperty("joinUrl").GetString());
    }

    [Fact]
    public async Task A_changed_series_keeps_its_exceptions()
    {
        var z = await ZoomSite.Create(world, "zr_series", members: "alice@series.example");
        var id = await z.AddEntry("alice@series.example", recurrence: Rule);
        await z.Sync();
        await PutSeries(z, "alice@series.example", id, exdates: ["2026-12-14T10:00:00+09:00"]);
        await z.Sync();

        // An hour later for every occurrence; the exception follows the series to its new time.
        await PutSeries(z, "alice@series.example", id, start: "2026-12-07T11:00:00+09:00", exdates: ["2026-12-14T11:00:00+09:00"]);
        var run = await z.Sync();

        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@series.example"))["id"]!;
        var occurrences = ByStart(z, meetingId);
        Assert.Equal("deleted", occurrences["2026-12-14T02:00:00Z"].Status);
        Assert.Equal(7, occurrences.Values.Count(o => o.Status == "available"));
        Assert.Equal(1, run.GetProperty("updated").GetInt32());
        Assert.Equal(0, (await z.Sync()).GetProperty("zoomCalls").GetInt32());
    }

    [Fact]
    public async Task A_crash_after_zoom_changed_an_occurrence_is_finished_by_the_next_run_without_a_second_meeting()
    {
        var z = await ZoomSite.Create(world, "zr_crash", members: "alice@rcrash.example");
        var id = await z.AddEntry("alice@rcrash.example", recurrence: Rule);
        await PutSeries(z, "alice@rcrash.example", id, exdates: ["2026-12-14T10:00:00+09:00"], moved: [MoveDec21]);

        foreach (var step in new[] { "zoom-created", "occurrence-changed", "occurrence-changed" })
        {
            world.Faults.Step = step;
            await z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null); // dies at the step
        }
        world.Faults.Step = null;
        await z.Sync();

        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@rcrash.example"))["id"]!;
        var occurrences = ByStart(z, meetingId);
        Assert.Equal("deleted", occurrences["2026-12-14T01:00:00Z"].Status);
        Assert.Equal(("2026-12-22T06:00:00Z", 90, "available"), occurrences["2026-12-21T01:00:00Z"]);
        Assert.Equal(0, (await z.Sync()).GetProperty("zoomCalls").GetInt32());
    }

    [Fact]
    public async Task With_keep_an_entry_that_lost_its_location_during_an_unfinished_create_leaves_no_orphan_and_no_duplicate()
    {
        var z = await ZoomSite.Create(world, "zr_keep", members: "alice@keep.example");
        await Http.Ensure(await z.Admin.PutAsJsonAsync(z.Site.Api("admin/zoom"), new { onEntryRemoved = "keep" }));
        var created = await z.AddEntry("alice@keep.example", title: "作成済み");
        // The run dies after Zoom made the meeting, before the link says so; meanwhile the entry loses its location.
        // (The orchestration tries the run again: that next attempt finds the entry changed.)
        var creates = world.Zoom.Creates;
        world.Faults.CrashAt("zoom-created", () => z.ChangeEntry("alice@keep.example", created, "2026-12-07T10:00:00+09:00", location: "会議室 A"));
        await z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null);
        Assert.Equal(creates + 1, world.Zoom.Creates);
        // Another entry's run dies right after its intent, before Zoom was called, and that entry loses its location too.
        var intended = await z.AddEntry("alice@keep.example", start: "2026-12-08T10:00:00+09:00", title: "意図のみ");
        world.Faults.CrashAt("intent-written", () => z.ChangeEntry("alice@keep.example", intended, "2026-12-08T10:00:00+09:00", location: "会議室 A"));
        await z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null);
        world.Faults.OnStep = null;
        await z.Sync();

        // The meeting was never shown on the entry: "keep" does not keep it, so nothing is left in Zoom.
        Assert.Empty(z.MeetingsOf("alice@keep.example"));
        Assert.Equal("none", (await z.Entry("alice@keep.example", created)).GetProperty("zoom").GetProperty("state").GetString());

        await z.ChangeEntry("alice@keep.example", created, "2026-12-07T10:00:00+09:00");
        await z.Sync();
        Assert.Single(z.MeetingsOf("alice@keep.example"));
        Assert.Equal(0, (await z.Sync()).GetProperty("zoomCalls").GetInt32());
    }
}
