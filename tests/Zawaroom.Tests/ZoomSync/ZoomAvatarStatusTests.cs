using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Zawaroom.Tests.Live;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Z8: a member's Zoom meeting shows on their avatar, live and for people entering later.</summary>
public sealed class ZoomAvatarStatusTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    HttpRequestMessage Signed(TestSite site, string body)
    {
        var ts = world.Clock.GetUtcNow().ToUnixTimeSeconds().ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, site.Api("webhooks/zoom")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-zm-request-timestamp", ts);
        request.Headers.Add("x-zm-signature", ZoomWebhookSignature.Signature(ZoomSite.WebhookSecret, ts, body));
        return request;
    }

    static string Event(string name, long meetingId, long ts) => JsonSerializer.Serialize(new
    {
        @event = name, event_ts = ts,
        payload = new { account_id = "acct-1", @object = new { id = meetingId.ToString(), uuid = "u-" + ts, host_id = "h1", topic = "定例" } },
    });

    [Fact]
    public async Task A_started_meeting_flags_the_owner_for_everyone_in_the_room_and_for_newcomers_until_it_ends()
    {
        var z = await ZoomSite.Create(world, "zs_avatar", members: "alice@avatar.example");
        await z.Site.AddMember("bob@avatar.example");
        await z.Site.AddMember("carol@avatar.example");
        await z.AddEntry("alice@avatar.example");
        await z.Sync();
        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@avatar.example"))["id"]!;
        var room = await z.Site.AddRoom(await z.Site.AddSpace());
        await using var bob = await LiveClient.Enter(z.Site, "bob@avatar.example", room);
        await using var alice = await LiveClient.Enter(z.Site, "alice@avatar.example", room);
        var entered = await bob.Next("entered");
        Assert.False(entered.GetProperty("inZoomMeeting").GetBoolean());

        var anonymous = z.Site.Anonymous();
        await Http.Ensure(await anonymous.SendAsync(Signed(z.Site, Event("meeting.started", meetingId, 1765000000001))));

        var started = await bob.Next("zoom");
        Assert.Equal("alice@avatar.example", started.Str("email"));
        Assert.True(started.GetProperty("inZoomMeeting").GetBoolean());
        Assert.Equal(entered.Seq() + 1, started.Seq());
        await using (var carol = await LiveClient.Enter(z.Site, "carol@avatar.example", room))
            Assert.True(carol.FirstSnapshot.Person("alice@avatar.example").GetProperty("inZoomMeeting").GetBoolean());

        await Http.Ensure(await anonymous.SendAsync(Signed(z.Site, Event("meeting.ended", meetingId, 1765000000002))));

        var ended = await bob.Next("zoom");
        Assert.Equal("alice@avatar.example", ended.Str("email"));
        Assert.False(ended.GetProperty("inZoomMeeting").GetBoolean());
        var entry = await Http.Ensure<JsonElement>(await (await z.Site.As("carol@avatar.example")).PostAsync(z.Site.Api($"rooms/{room}/enter"), null));
        Assert.False(entry.GetProperty("snapshot").Person("alice@avatar.example").GetProperty("inZoomMeeting").GetBoolean());
    }

    [Fact]
    public async Task Someone_entering_during_a_meeting_shows_it_from_the_start()
    {
        var z = await ZoomSite.Create(world, "zs_late", members: "alice@late.example");
        await z.Site.AddMember("bob@late.example");
        await z.AddEntry("alice@late.example");
        await z.Sync();
        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@late.example"))["id"]!;
        var room = await z.Site.AddRoom(await z.Site.AddSpace());
        await Http.Ensure(await z.Site.Anonymous().SendAsync(Signed(z.Site, Event("meeting.started", meetingId, 1765000000003))));

        await using var bob = await LiveClient.Enter(z.Site, "bob@late.example", room);
        await using var alice = await LiveClient.Enter(z.Site, "alice@late.example", room);

        Assert.True((await bob.Next("entered")).GetProperty("inZoomMeeting").GetBoolean());
    }
}
