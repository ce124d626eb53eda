using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Owns its clock: it moves the app into the next month.</summary>
public sealed class SyncWindowMoveTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task A_month_boundary_moves_the_window_and_brings_new_entries_in_without_touching_past_meetings()
    {
        var z = await ZoomSite.Create(world, "zs_month", members: "alice@month.example");
        await z.AddEntry("alice@month.example", start: "2026-12-07T10:00:00+09:00");
        await z.AddEntry("alice@month.example", start: "2027-03-05T10:00:00+09:00");
        await z.Sync();
        Assert.Single(z.MeetingsOf("alice@month.example"));

        // 2026-12-31T15:00Z is January 1st in Tokyo: the window is now January to March.
        world.Clock.SetUtcNow(DateTimeOffset.Parse("2026-12-31T15:00:00Z"));
        var run = await z.Sync();

        Assert.Equal(1, run.GetProperty("created").GetInt32());
        Assert.Equal(0, run.GetProperty("deleted").GetInt32());
        Assert.Equal(["2026-12-07T10:00:00", "2027-03-05T10:00:00"],
            z.MeetingsOf("alice@month.example").Select(m => (string)m["start_time"]!).Order().ToArray());
    }
}
