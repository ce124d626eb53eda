using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Schedules;

public sealed class SchedulesApiTests(TestApp app) : IClassFixture<TestApp>
{
    static object Entry(string title = "定例", string start = "2026-12-07T10:00:00+09:00", string end = "2026-12-07T11:00:00+09:00",
        string location = "Zoom 会議", string[]? attendees = null, string? recurrence = null, string[]? exdates = null) =>
        new { title, start, end, allDay = false, location, description = "", attendees = attendees ?? [], recurrence, exdates };

    static async Task<JsonElement[]> Range(HttpClient client, TestSite site, string from, string to) =>
        (await Http.Ensure<JsonElement>(await client.GetAsync(site.Api($"schedules?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"))))
            .EnumerateArray().ToArray();

    [Fact]
    public async Task An_owner_creates_reads_changes_and_deletes_an_entry()
    {
        var site = await app.CreateSite("sch_crud");
        var alice = await site.As(await site.AddMember("alice@sch.example"));

        var created = await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(attendees: ["Bob@sch.example"])));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("2026-12-07T10:00:00+09:00", created.GetProperty("start").GetString());
        Assert.Equal("bob@sch.example", created.GetProperty("attendees")[0].GetString());
        Assert.Equal("none", created.GetProperty("zoom").GetProperty("state").GetString());

        var changed = await Http.Ensure<JsonElement>(await alice.PutAsJsonAsync(site.Api($"schedules/{id}"),
            Entry(title: "定例(変更)", start: "2026-12-07T13:00:00+09:00", end: "2026-12-07T14:00:00+09:00")));
        Assert.Equal("定例(変更)", changed.GetProperty("title").GetString());

        var listed = await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00");
        Assert.Equal("2026-12-07T13:00:00+09:00", Assert.Single(listed).GetProperty("start").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync(site.Api($"schedules/{id}"))).StatusCode);
        Assert.Empty(await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00"));
    }

    [Fact]
    public async Task Another_members_entry_is_not_found_for_read_change_or_delete()
    {
        var site = await app.CreateSite("sch_owner");
        var alice = await site.As(await site.AddMember("alice@own.example"));
        var bob = await site.As(await site.AddMember("bob@own.example"));
        var id = (await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(site.Api("schedules"), Entry()))).GetProperty("id").GetString();

        await Http.AssertProblem(await bob.PutAsJsonAsync(site.Api($"schedules/{id}"), Entry(title: "乗っ取り")), 404, "not-found");
        await Http.AssertProblem(await bob.DeleteAsync(site.Api($"schedules/{id}")), 404, "not-found");
        Assert.Empty(await Range(bob, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00"));
        Assert.Equal("定例", Assert.Single(await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00")).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Anonymous().GetAsync(site.Api("schedules?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z"))).StatusCode);
    }

    [Theory]
    [InlineData("", "2026-12-07T10:00:00+09:00", "2026-12-07T11:00:00+09:00")]
    [InlineData("x", "2026-12-07T10:00:00", "2026-12-07T11:00:00+09:00")]
    [InlineData("x", "2026-12-07T11:00:00+09:00", "2026-12-07T10:00:00+09:00")]
    public async Task An_invalid_entry_is_refused(string title, string start, string end)
    {
        var site = await app.CreateSite("sch_bad" + Guid.NewGuid().ToString("N")[..5]);
        var alice = await site.As(await site.AddMember("alice@bad.example"));
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(title: title, start: start, end: end)), 400, "validation");
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(recurrence: "NOT A RULE")), 400, "validation");
    }

    [Fact]
    public async Task A_weekly_entry_is_expanded_into_its_occurrences_in_the_range_without_its_exdates()
    {
        var site = await app.CreateSite("sch_rec");
        var alice = await site.As(await site.AddMember("alice@rec.example"));
        await Http.Ensure(await alice.PostAsJsonAsync(site.Api("schedules"),
            Entry(recurrence: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-14T10:00:00+09:00"])));

        var december = await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00");

        Assert.Equal(["2026-12-07T10:00:00+09:00", "2026-12-21T10:00:00+09:00", "2026-12-28T10:00:00+09:00"],
            december.Select(o => o.GetProperty("start").GetString()!).ToArray());
        Assert.All(december, o => Assert.Equal("2026-12-07T10:00:00+09:00", o.GetProperty("seriesStart").GetString()));
    }

    const string Ics = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//test//EN
        BEGIN:VEVENT
        UID:weekly-1@example
        SUMMARY:週次定例
        DTSTART;TZID=Asia/Tokyo:20261207T100000
        DTEND;TZID=Asia/Tokyo:20261207T110000
        RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4
        LOCATION:ｚｏｏｍ 会議
        ATTENDEE;CN=Bob:mailto:bob@ics.example
        END:VEVENT
        BEGIN:VEVENT
        UID:utc-1@example
        SUMMARY:UTC meeting
        DTSTART:20261208T010000Z
        DTEND:20261208T020000Z
        END:VEVENT
        BEGIN:VEVENT
        UID:holiday-1@example
        SUMMARY:休み
        DTSTART;VALUE=DATE:20261209
        END:VEVENT
        BEGIN:VEVENT
        SUMMARY:no uid
        DTSTART:20261208T010000Z
        END:VEVENT
        END:VCALENDAR
        """;

    [Fact]
    public async Task Importing_the_same_icalendar_twice_changes_nothing_the_second_time()
    {
        var site = await app.CreateSite("sch_ics");
        var alice = await site.As(await site.AddMember("alice@ics.example"));

        var first = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), Ics.ReplaceLineEndings("\r\n"), "text/calendar"));
        var second = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), Ics.ReplaceLineEndings("\r\n"), "text/calendar"));

        Assert.Equal((3, 0, 0, 1), Counts(first));
        Assert.Equal((0, 0, 3, 1), Counts(second));
        var entries = await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00");
        Assert.Equal(6, entries.Length);
        var utc = entries.Single(e => e.GetProperty("uid").GetString() == "utc-1@example");
        Assert.Equal("2026-12-08T10:00:00+09:00", utc.GetProperty("start").GetString());
        var holiday = entries.Single(e => e.GetProperty("uid").GetString() == "holiday-1@example");
        Assert.True(holiday.GetProperty("allDay").GetBoolean());
        Assert.Equal("2026-12-09", holiday.GetProperty("start").GetString());
        var weekly = entries.Where(e => e.GetProperty("uid").GetString() == "weekly-1@example").ToArray();
        Assert.Equal(4, weekly.Length);
        Assert.Equal("bob@ics.example", weekly[0].GetProperty("attendees")[0].GetString());
    }

    [Fact]
    public async Task Reimporting_a_changed_event_updates_the_same_entry()
    {
        var site = await app.CreateSite("sch_ics2");
        var alice = await site.As(await site.AddMember("alice@ics2.example"));
        await Http.Ensure(await alice.PostRaw(site.Api("schedules/import"), Ics.ReplaceLineEndings("\r\n"), "text/calendar"));

        var moved = Ics.Replace("DTSTART:20261208T010000Z", "DTSTART:20261208T030000Z").Replace("DTEND:20261208T020000Z", "DTEND:20261208T040000Z");
        var report = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), moved.ReplaceLineEndings("\r\n"), "text/calendar"));

        Assert.Equal((0, 1, 2, 1), Counts(report));
        var entries = await Range(alice, site, "2026-12-08T00:00:00+09:00", "2026-12-09T00:00:00+09:00");
        Assert.Equal("2026-12-08T12:00:00+09:00", entries.Single(e => e.GetProperty("uid").GetString() == "utc-1@example").GetProperty("start").GetString());
    }

    [Fact]
    public async Task A_csv_import_keeps_identity_by_uid_and_names_the_rejected_lines()
    {
        var site = await app.CreateSite("sch_csv");
        var alice = await site.As(await site.AddMember("alice@csv.example"));
        const string csv = "\uFEFFuid,title,start,end,allDay,location,description,attendees,recurrence\r\n" +
                           "c1,\"打合せ, 営業\",2026-12-10T15:00:00+09:00,2026-12-10T16:00:00+09:00,false,Zoom 会議,,a@x.example;b@x.example,\r\n" +
                           "c2,終日,2026-12-11,,true,,,,\r\n" +
                           "c3,壊れた,yesterday,tomorrow,false,,,,\r\n";

        var first = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), csv, "text/csv"));
        var second = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), csv, "text/csv"));

        Assert.Equal((2, 0, 0, 1), Counts(first));
        Assert.Equal(4, first.GetProperty("rejected")[0].GetProperty("line").GetInt32());
        Assert.Equal((0, 0, 2, 1), Counts(second));
        var entries = await Range(alice, site, "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00");
        Assert.Equal(["打合せ, 営業", "終日"], entries.Select(e => e.GetProperty("title").GetString()!).ToArray());
        Assert.Equal(2, entries[0].GetProperty("attendees").GetArrayLength());
    }

    [Fact]
    public async Task An_import_of_another_media_type_is_refused()
    {
        var site = await app.CreateSite("sch_415");
        var alice = await site.As(await site.AddMember("alice@415.example"));
        await Http.AssertProblem(await alice.PostRaw(site.Api("schedules/import"), "hello", "text/plain"), 415, "unsupported-media-type");
    }

    static (int, int, int, int) Counts(JsonElement r) =>
        (r.GetProperty("created").GetInt32(), r.GetProperty("updated").GetInt32(), r.GetProperty("unchanged").GetInt32(), r.GetProperty("rejected").GetArrayLength());
}
