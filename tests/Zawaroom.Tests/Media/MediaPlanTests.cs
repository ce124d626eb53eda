using Zawaroom.Live;
using Zawaroom.Media;

namespace Zawaroom.Tests.Media;

/// <summary>The SFU/mesh decision and the TURN credential scheme, as pure functions.</summary>
public sealed class MediaPlanTests
{
    static readonly IReadOnlyList<MeetingArea> Rooms =
    [
        new("a", "会議室A", new Area(1000, 0, 400, 400)),
        new("d", "ラウンジ", new Area(2000, 0, 800, 800), MeetingAudio.ByDistance),
        new("q", "集中ブース", new Area(3000, 0, 400, 400), MeetingAudio.None),
    ];

    static Hearer At(string email, double x, double y, string? meetingRoom = null) => new(email, new Listener(x, y, 300, meetingRoom));

    [Fact]
    public void A_whole_room_meeting_room_always_goes_through_the_SFU_and_nobody_outside_is_in_it()
    {
        var people = new[] { At("a1", 1100, 100, "a"), At("a2", 1300, 300, "a"), At("out", 900, 100) };
        var groups = MediaPlan.Groups(people, Rooms, threshold: 4);
        Assert.Equal(["a1", "a2"], groups["meeting:a"].Order());
        Assert.Null(MediaPlan.GroupOf("out", people, Rooms, 4));
    }

    [Fact]
    public void People_who_hear_each_other_switch_to_the_SFU_at_the_threshold()
    {
        var three = new[] { At("p1", 100, 100), At("p2", 300, 100), At("p3", 500, 100) };
        Assert.Empty(MediaPlan.Groups(three, Rooms, threshold: 4));
        // A fourth within reach of the last one joins the chain: one group of four.
        var four = three.Append(At("p4", 700, 100)).ToList();
        var group = Assert.Single(MediaPlan.Groups(four, Rooms, threshold: 4));
        Assert.Equal(["p1", "p2", "p3", "p4"], group.Value.Order());
        // Someone far away stays peer to peer, alone.
        Assert.Null(MediaPlan.GroupOf("far", four.Append(At("far", 4000, 2000)).ToList(), Rooms, 4));
    }

    [Fact]
    public void A_by_distance_meeting_room_groups_by_reach_and_a_no_audio_room_never()
    {
        var people = new[] { At("d1", 2100, 100, "d"), At("d2", 2150, 100, "d"), At("d3", 2700, 700, "d"), At("q1", 3100, 100, "q"), At("q2", 3150, 100, "q") };
        var groups = MediaPlan.Groups(people, Rooms, threshold: 2);
        var group = Assert.Single(groups);
        Assert.Equal(["d1", "d2"], group.Value.Order());
    }

    [Fact]
    public void A_TURN_credential_is_the_expiry_and_member_signed_with_the_shared_secret()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var options = new MediaOptions { TurnUrls = "stun:127.0.0.1:3478, turn:127.0.0.1:3478?transport=udp", TurnSecret = "s3cret", TurnTtl = TimeSpan.FromHours(24) };
        var (servers, expires) = TurnCredentials.For(options, "alice@example.com", now);
        Assert.Equal(now.AddHours(24), expires);
        Assert.Equal(["stun:127.0.0.1:3478"], servers[0].Urls);
        Assert.Null(servers[0].Username);
        var turn = servers[1];
        Assert.Equal($"{1_800_000_000 + 86_400}:alice@example.com", turn.Username);
        // base64(HMAC-SHA1("s3cret", username)), computed independently with openssl:
        // printf '1800086400:alice@example.com' | openssl dgst -sha1 -hmac s3cret -binary | base64
        Assert.Equal(Expected, turn.Credential);
        Assert.Empty(TurnCredentials.For(new MediaOptions(), "alice@example.com", now).Servers);
    }

    const string Expected = "7Lpl9/m/yB93MSi7oqkGarjJ4Vs=";
}
