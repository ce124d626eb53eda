using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Schedules;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.Office;

/// <summary>L5: the avatar card's schedule, for people in the same room only.</summary>
public sealed class SchedulePeekTests(TestApp app) : IClassFixture<TestApp>
{
    static object Entry(string title, DateTimeOffset start, DateTimeOffset end) =>
        new { title, start = start.ToString("O"), end = end.ToString("O"), allDay = false, location = "", description = "", attendees = Array.Empty<string>(), recurrence = (string?)null, exdates = (string[]?)null };

    [Fact]
    public async Task Someone_in_the_same_room_sees_the_members_current_and_next_entry_with_the_zoom_link()
    {
        var site = await app.CreateSite("peek");
        await site.AddMember("alice@peek.example");
        await site.AddMember("bob@peek.example");
        var room = await site.AddRoom(await site.AddSpace());
        var alice = await site.As("alice@peek.example");
        var now = DateTimeOffset.UtcNow;
        var current = await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("設計レビュー", now.AddMinutes(-30), now.AddMinutes(30))));
        await Http.Ensure(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("1on1", now.AddHours(3), now.AddHours(4))));
        await Http.Ensure(await alice.PostAsJsonAsync(site.Api("schedules"), Entry("来週の件", now.AddDays(2), now.AddDays(2).AddHours(1))));
        var me = await Http.Ensure<JsonElement>(await alice.GetAsync(site.Api("me")));
        await app.Services.GetRequiredService<ScheduleBook>().SetZoom(me.GetProperty("siteId").GetString()!, current.GetProperty("id").GetString()!,
            new ZoomLinkState("linked", "https://zoom.example/j/123", 123), CancellationToken.None);

        await using var a = await LiveClient.Enter(site, "alice@peek.example", room);
        await using var b = await LiveClient.Enter(site, "bob@peek.example", room);
        var bob = await site.As("bob@peek.example");
        var peek = await Http.Ensure<JsonElement>(await bob.GetAsync(site.Api($"rooms/{room}/people/alice@peek.example/schedule")));

        Assert.Equal("titles", peek.GetProperty("visibility").GetString());
        Assert.Equal("設計レビュー", peek.GetProperty("current").GetProperty("title").GetString());
        Assert.Equal("https://zoom.example/j/123", peek.GetProperty("current").GetProperty("joinUrl").GetString());
        Assert.Equal("1on1", peek.GetProperty("next").GetProperty("title").GetString());
        Assert.False(peek.GetProperty("next").TryGetProperty("joinUrl", out _), "an entry without a Zoom meeting has no join link");

        // Alice shows only "予定あり": times stay, titles and the link go.
        await Http.Ensure(await alice.PutAsJsonAsync(site.Api("me/schedule-visibility"), new { mode = "busy" }));
        peek = await Http.Ensure<JsonElement>(await bob.GetAsync(site.Api($"rooms/{room}/people/alice@peek.example/schedule")));
        Assert.Equal("busy", peek.GetProperty("visibility").GetString());
        Assert.False(peek.GetProperty("current").TryGetProperty("title", out _));
        Assert.False(peek.GetProperty("current").TryGetProperty("joinUrl", out _));
        Assert.False(string.IsNullOrEmpty(peek.GetProperty("current").GetProperty("start").GetString()));
        await Http.AssertProblem(await alice.PutAsJsonAsync(site.Api("me/schedule-visibility"), new { mode = "everything" }), 400, "validation");
    }

    [Fact]
    public async Task Nobody_outside_the_room_and_nobody_of_another_site_sees_a_members_schedule()
    {
        var site = await app.CreateSite("peek-out");
        await site.AddMember("alice@peek-out.example");
        await site.AddMember("carol@peek-out.example");
        var space = await site.AddSpace();
        var room = await site.AddRoom(space);
        var other = await site.AddRoom(space, "別室");
        await using var a = await LiveClient.Enter(site, "alice@peek-out.example", room);
        await using var c = await LiveClient.Enter(site, "carol@peek-out.example", other);
        var carol = await site.As("carol@peek-out.example");

        // Carol is in another room of the same site: refused; asking about someone not in the room: 404.
        await Http.AssertProblem(await carol.GetAsync(site.Api($"rooms/{room}/people/alice@peek-out.example/schedule")), 409, "not-in-room");
        await Http.AssertProblem(await carol.GetAsync(site.Api($"rooms/{other}/people/alice@peek-out.example/schedule")), 404, "not-found");

        // A member of another site, with the same room id on their own site: there is no such room.
        var siteB = await app.CreateSite("peek-b");
        await siteB.AddMember("alice@peek-out.example");
        var intruder = await siteB.As("alice@peek-out.example");
        await Http.AssertProblem(await intruder.GetAsync(siteB.Api($"rooms/{room}/people/alice@peek-out.example/schedule")), 404, "not-found");
        // ... and a site-A address with a site-B login is not authenticated there.
        var cross = await intruder.GetAsync(site.Api($"rooms/{room}/people/alice@peek-out.example/schedule"));
        Assert.Equal(401, (int)cross.StatusCode);
    }
}
