using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Schedules;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Schedules;

public sealed class MovedOccurrenceTests(TestApp app) : IClassFixture<TestApp>
{
    static object Weekly(object[]? moved = null, string[]? exdates = null) => new
    {
        title = "週次", start = "2026-12-07T10:00:00+09:00", end = "2026-12-07T11:00:00+09:00", allDay = false, location = "Zoom 会議",
        description = "", attendees = Array.Empty<string>(), recurrence = "FREQ=WEEKLY;BYDAY=MO;COUNT=4", exdates, moved,
    };

    static async Task<JsonElement[]> December(HttpClient client, TestSite site) =>
        (await Http.Ensure<JsonElement>(await client.GetAsync(site.Api(
            $"schedules?from={Uri.EscapeDataString("2026-12-01T00:00:00+09:00")}&to={Uri.EscapeDataString("2027-01-01T00:00:00+09:00")}"))))
        .EnumerateArray().ToArray();

    [Fact]
    public async Task A_moved_occurrence_is_listed_at_its_new_time_and_named_by_its_occurrence()
    {
        var site = await app.CreateSite("mov_api");
        var alice = await site.As(await site.AddMember("alice@mov.example"));

        var created = await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(site.Api("schedules"), Weekly(
            moved: [new { occurrence = "2026-12-14T10:00:00+09:00", start = "2026-12-15T15:00:00+09:00", end = "2026-12-15T16:30:00+09:00" }])));
        var listed = await December(alice, site);

        Assert.Equal("2026-12-15T15:00:00+09:00", created.GetProperty("moved")[0].GetProperty("start").GetString());
        Assert.Equal(["2026-12-07T10:00:00+09:00", "2026-12-15T15:00:00+09:00", "2026-12-21T10:00:00+09:00", "2026-12-28T10:00:00+09:00"],
            listed.Select(o => o.GetProperty("start").GetString()!).ToArray());
        var moved = listed[1];
        Assert.Equal("2026-12-15T16:30:00+09:00", moved.GetProperty("end").GetString());
        Assert.Equal("2026-12-14T10:00:00+09:00", moved.GetProperty("occurrence").GetString());
    }

    [Fact]
    public async Task Moving_something_that_is_not_an_occurrence_is_refused()
    {
        var site = await app.CreateSite("mov_bad");
        var alice = await site.As(await site.AddMember("alice@movbad.example"));

        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Weekly(
            moved: [new { occurrence = "2026-12-15T10:00:00+09:00", start = "2026-12-16T10:00:00+09:00", end = "2026-12-16T11:00:00+09:00" }])), 400, "validation");
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Weekly(exdates: ["2026-12-14T10:00:00+09:00"],
            moved: [new { occurrence = "2026-12-14T10:00:00+09:00", start = "2026-12-16T10:00:00+09:00", end = "2026-12-16T11:00:00+09:00" }])), 400, "validation");
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Weekly(
            moved: [new { occurrence = "2026-12-14T10:00:00+09:00", start = "2026-12-16T10:00:00+09:00", end = "2026-12-16T09:00:00+09:00" }])), 400, "validation");
    }

    const string Ics = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//test//EN
        BEGIN:VEVENT
        UID:series-1@example
        SUMMARY:週次定例
        DTSTART;TZID=Asia/Tokyo:20261207T100000
        DTEND;TZID=Asia/Tokyo:20261207T110000
        RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4
        LOCATION:Zoom 会議
        END:VEVENT
        BEGIN:VEVENT
        UID:series-1@example
        RECURRENCE-ID;TZID=Asia/Tokyo:20261214T100000
        SUMMARY:週次定例 (火曜に変更)
        DTSTART;TZID=Asia/Tokyo:20261215T140000
        DTEND;TZID=Asia/Tokyo:20261215T150000
        END:VEVENT
        BEGIN:VEVENT
        UID:series-1@example
        RECURRENCE-ID;TZID=Asia/Tokyo:20261228T100000
        STATUS:CANCELLED
        DTSTART;TZID=Asia/Tokyo:20261228T100000
        DTEND;TZID=Asia/Tokyo:20261228T110000
        END:VEVENT
        BEGIN:VEVENT
        UID:orphan-1@example
        RECURRENCE-ID:20261214T010000Z
        DTSTART:20261215T010000Z
        DTEND:20261215T020000Z
        END:VEVENT
        END:VCALENDAR
        """;

    [Fact]
    public async Task An_icalendar_override_moves_its_occurrence_a_cancelled_one_removes_it_and_reimporting_changes_nothing()
    {
        var site = await app.CreateSite("mov_ics");
        var alice = await site.As(await site.AddMember("alice@movics.example"));

        var first = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), Ics.ReplaceLineEndings("\r\n"), "text/calendar"));
        var again = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), Ics.ReplaceLineEndings("\r\n"), "text/calendar"));
        var listed = await December(alice, site);

        Assert.Equal(1, first.GetProperty("created").GetInt32());
        Assert.Equal("orphan-1@example", Assert.Single(first.GetProperty("rejected").EnumerateArray()).GetProperty("uid").GetString());
        Assert.Equal(1, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(["2026-12-07T10:00:00+09:00", "2026-12-15T14:00:00+09:00", "2026-12-21T10:00:00+09:00"],
            listed.Select(o => o.GetProperty("start").GetString()!).ToArray());
        Assert.Equal(["2026-12-28T10:00:00+09:00"], listed[0].GetProperty("exdates").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public void Occurrences_put_a_moved_occurrence_where_it_now_is_even_when_it_moved_out_of_the_range()
    {
        var start = DateTimeOffset.Parse("2026-12-07T10:00:00+09:00");
        var content = new EntryContent("週次", start, start.AddHours(1), false, "", "", [], "FREQ=WEEKLY;BYDAY=MO;COUNT=4", [],
            [new MovedOccurrence(start.AddDays(7), DateTimeOffset.Parse("2027-01-05T10:00:00+09:00"), DateTimeOffset.Parse("2027-01-05T11:00:00+09:00"))]);

        var december = Occurrences.Between(content, DateTimeOffset.Parse("2026-12-01T00:00:00+09:00"), DateTimeOffset.Parse("2027-01-01T00:00:00+09:00"));
        var january = Occurrences.Between(content, DateTimeOffset.Parse("2027-01-01T00:00:00+09:00"), DateTimeOffset.Parse("2027-02-01T00:00:00+09:00"));

        Assert.Equal(3, december.Count);
        Assert.DoesNotContain(december, o => o.Start == start.AddDays(7));
        var moved = Assert.Single(january);
        Assert.Equal(start.AddDays(7), moved.RecurrenceId);
    }
}
