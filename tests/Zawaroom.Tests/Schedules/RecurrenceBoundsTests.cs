using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Schedules;
using Zawaroom.Sites;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Schedules;

/// <summary>
/// Probe findings: a rule that matches rarely or never, a huge COUNT, thousands of EXDATEs or moved occurrences
/// made the member's schedule list spin or answer 500. They are refused on create, update and import, and an
/// entry stored before these checks no longer breaks the list.
/// </summary>
public sealed class RecurrenceBoundsTests(TestApp app) : IClassFixture<TestApp>
{
    const string Start = "2026-12-07T10:00:00+09:00", End = "2026-12-07T11:00:00+09:00";

    static object Entry(string? recurrence, IEnumerable<string>? exdates = null, IEnumerable<object>? moved = null) =>
        new { title = "定例", start = Start, end = End, allDay = false, location = "", description = "", attendees = Array.Empty<string>(),
            recurrence, exdates = exdates?.ToArray(), moved = moved?.ToArray() };

    public static TheoryData<string> Unbounded => new()
    {
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-30",
        "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=SECONDLY",
        "FREQ=DAILY;COUNT=99999999999999999999",
        "FREQ=DAILY;COUNT=2147483648",
        "FREQ=DAILY;COUNT=1000000",
        "FREQ=DAILY;INTERVAL=99999999999",
        "FREQ=DAILY;BYMONTHDAY=99999999999",
    };


    [Theory]
    [MemberData(nameof(Unbounded))]
    public async Task A_rule_that_matches_rarely_never_or_too_often_is_refused_on_create_update_and_import(string rule)
    {
        var site = await app.CreateSite("rb" + Guid.NewGuid().ToString("N")[..10]);
        var alice = await site.As(await site.AddMember("alice@rb.example"));

        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(rule)), 400, "validation");

        var id = (await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("FREQ=WEEKLY;COUNT=3")))).GetProperty("id").GetString();
        await Http.AssertProblem(await alice.PutAsJsonAsync(site.Api($"schedules/{id}"), Entry(rule)), 400, "validation");

        var ics = $"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:bad-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261207T010000Z\r\nDTEND:20261207T020000Z\r\nSUMMARY:x\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var imported = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), ics, "text/calendar"));
        Assert.Equal(0, imported.GetProperty("created").GetInt32());
        Assert.Single(imported.GetProperty("rejected").EnumerateArray());

        var csv = $"uid,title,start,end,recurrence\r\nbad-2,x,{Start},{End},\"{rule}\"\r\n";
        imported = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), csv, "text/csv"));
        Assert.Equal(0, imported.GetProperty("created").GetInt32());

        var list = await Http.Ensure<JsonElement>(await alice.GetAsync(site.Api("schedules?from=2026-12-01T00:00:00%2B09:00&to=2027-12-01T00:00:00%2B09:00")));
        Assert.Equal(3, list.GetArrayLength());
    }

    [Fact]
    public async Task Thousands_of_exdates_or_moved_occurrences_are_refused_on_create_and_import()
    {
        var site = await app.CreateSite("rb_many");
        var alice = await site.As(await site.AddMember("alice@rbm.example"));
        var monday = DateTimeOffset.Parse(Start);
        var exdates = Enumerable.Range(1, 3000).Select(i => monday.AddDays(7 * i).ToString("yyyy-MM-dd'T'HH:mm:sszzz"));
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("FREQ=WEEKLY", exdates: exdates)), 400, "validation");
        var moved = Enumerable.Range(1, 3000).Select(i => monday.AddDays(7 * i)).Select(o => (object)new
        {
            occurrence = o.ToString("yyyy-MM-dd'T'HH:mm:sszzz"), start = o.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), end = o.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
        });
        await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("FREQ=WEEKLY", moved: moved)), 400, "validation");

        var ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:many-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261207T010000Z\r\nDTEND:20261207T020000Z\r\nSUMMARY:x\r\nRRULE:FREQ=DAILY\r\n");
        for (var i = 1; i <= 3000; i++) ics.Append($"EXDATE:{new DateTime(2026, 12, 7, 1, 0, 0).AddDays(i):yyyyMMdd'T'HHmmss'Z'}\r\n");
        ics.Append("END:VEVENT\r\nEND:VCALENDAR\r\n");
        var imported = await Http.Ensure<JsonElement>(await alice.PostRaw(site.Api("schedules/import"), ics.ToString(), "text/calendar"));
        Assert.Equal(0, imported.GetProperty("created").GetInt32());
        Assert.Contains("exdates", Assert.Single(imported.GetProperty("rejected").EnumerateArray()).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")]
    [InlineData("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30")]
    [InlineData("FREQ=SECONDLY")]
    [InlineData("FREQ=MINUTELY;COUNT=2147483647")]
    public async Task An_entry_stored_with_such_a_rule_before_the_checks_does_not_break_the_schedule_list(string rule)
    {
        var site = await app.CreateSite("rb_old" + Guid.NewGuid().ToString("N")[..6]);
        var email = await site.AddMember("alice@rbo.example");
        var alice = await site.As(email);
        var siteId = (await app.Services.GetRequiredService<SiteDirectory>().FindBySubdomain(site.Subdomain, CancellationToken.None))!.Value.Id;
        var start = new DateTimeOffset(1970, 1, 5, 10, 0, 0, TimeSpan.FromHours(9));
        await app.Services.GetRequiredService<ScheduleBook>().Create(siteId, email,
            new EntryContent("古い定例", start, start.AddHours(1), false, "", "", [], rule, []), CancellationToken.None);
        await Http.Ensure(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(null)));

        var list = await Http.Ensure<JsonElement>(await alice.GetAsync(site.Api("schedules?from=2026-12-01T00:00:00%2B09:00&to=2027-12-01T00:00:00%2B09:00")));

        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("title").GetString() == "定例");
    }

    [Fact]
    public void An_expansion_stops_when_its_caller_has_gone()
    {
        var start = new DateTimeOffset(1970, 1, 5, 10, 0, 0, TimeSpan.FromHours(9));
        var entry = new EntryContent("x", start, start.AddMinutes(1), false, "", "", [], "FREQ=SECONDLY", []);
        using var gone = new CancellationTokenSource();
        gone.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Occurrences.Between(entry, DateTimeOffset.Parse("2026-12-01T00:00:00Z"), DateTimeOffset.Parse("2026-12-02T00:00:00Z"), ct: gone.Token));
    }

    [Fact]
    public void A_stored_rule_reaching_back_decades_is_expanded_in_bounded_steps()
    {
        var start = new DateTimeOffset(1970, 1, 5, 10, 0, 0, TimeSpan.FromHours(9));
        var entry = new EntryContent("x", start, start.AddMinutes(1), false, "", "", [], "FREQ=MINUTELY", []);
        // Fifty-six years of minutes lie before the range: the expansion gives up rather than walk them.
        Assert.Empty(Occurrences.Between(entry, DateTimeOffset.Parse("2026-12-01T00:00:00Z"), DateTimeOffset.Parse("2026-12-02T00:00:00Z")));
    }

    [Theory]
    [InlineData("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")]
    [InlineData("FREQ=MONTHLY;BYMONTHDAY=31")]
    [InlineData("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=1000")]
    [InlineData("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20301231T000000Z")]
    public async Task Ordinary_and_leap_day_rules_are_still_accepted(string rule)
    {
        var site = await app.CreateSite("rb_ok" + Guid.NewGuid().ToString("N")[..7]);
        var alice = await site.As(await site.AddMember("alice@rbk.example"));
        await Http.Ensure(await alice.PostAsJsonAsync(site.Api("schedules"), Entry(rule)));
    }
}
