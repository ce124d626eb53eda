using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

public sealed class ZoomClientTests : IAsyncLifetime
{
    ZoomStandIn _zoom = null!;
    ServiceProvider _services = null!;
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    static readonly ZoomCredentials Site = new("site-1", ZoomStandIn.AccountId, ZoomStandIn.ClientId, ZoomStandIn.ClientSecret);

    public async Task InitializeAsync()
    {
        _zoom = await ZoomStandIn.Start();
        _zoom.Now = () => _clock.GetUtcNow();
        _zoom.AddUser("alice@zoom.example");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zawaroom:Zoom:OAuthUrl"] = _zoom.OAuthUrl,
            ["Zawaroom:Zoom:ApiBaseUrl"] = _zoom.ApiBaseUrl,
            ["Zawaroom:Zoom:RetryDelay"] = "00:00:00.050",
        }).Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton<TimeProvider>(_clock)
            .AddLogging().AddZoomSync().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _zoom.DisposeAsync();
    }

    ZoomClient Client => _services.GetRequiredService<ZoomClient>();

    static DesiredMeeting Meeting(string key = "e1") => new(key, "e1", "alice@zoom.example", 2, "定例",
        DateTimeOffset.Parse("2026-12-07T10:00:00+09:00"), 60, "Asia/Tokyo", $"議題\n\n[zawaroom:{key}]", ["bob@x.example"], null);

    [Fact]
    public async Task Many_calls_at_once_share_one_token_which_is_refreshed_before_it_expires()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Client.FindUser(Site, "alice@zoom.example", default)));
        Assert.Equal(1, _zoom.TokenRequests);

        _clock.Advance(TimeSpan.FromMinutes(56)); // inside the last five minutes of the hour
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Client.FindUser(Site, "alice@zoom.example", default)));
        Assert.Equal(2, _zoom.TokenRequests);
    }

    [Fact]
    public async Task A_created_meeting_carries_the_key_invitees_and_tracking_field()
    {
        var created = await Client.CreateMeeting(Site, Meeting(), default);
        var stored = Assert.Single(_zoom.Meetings());
        Assert.Equal(created.Id, (long)stored["id"]!);
        Assert.Equal("bob@x.example", (string?)stored["settings"]!["meeting_invitees"]![0]!["email"]);
        Assert.Equal("e1", (string?)stored["tracking_fields"]![0]!["value"]);
        var upcoming = await Client.UpcomingMeetings(Site, "alice@zoom.example", default);
        Assert.Equal("e1", DesiredMeetings.KeyIn(Assert.Single(upcoming).Agenda));
    }

    [Fact]
    public async Task Per_second_429s_are_waited_out_and_the_call_succeeds()
    {
        _zoom.FailNext(3, HttpStatusCode.TooManyRequests);
        var created = await Client.CreateMeeting(Site, Meeting(), default);
        Assert.Single(_zoom.Meetings());
        Assert.True(created.Id > 0);
    }

    [Fact]
    public async Task A_5xx_on_create_is_not_retried_blindly_but_on_a_read_it_is()
    {
        _zoom.FailNext(1, HttpStatusCode.BadGateway);
        await Assert.ThrowsAsync<ZoomException>(() => Client.CreateMeeting(Site, Meeting(), default));
        Assert.Empty(_zoom.Meetings());
        _zoom.FailNext(2, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(await Client.FindUser(Site, "alice@zoom.example", default));
    }

    [Fact]
    public async Task Deleting_a_meeting_zoom_no_longer_has_counts_as_deleted()
    {
        var created = await Client.CreateMeeting(Site, Meeting(), default);
        Assert.True(await Client.DeleteMeeting(Site, created.Id, default));
        Assert.False(await Client.DeleteMeeting(Site, created.Id, default));
    }

    [Fact]
    public async Task The_daily_limit_is_reported_with_its_reset_time_and_not_retried()
    {
        _zoom.DailyLimit = 1;
        await Client.CreateMeeting(Site, Meeting("a"), default);
        var refused = await Assert.ThrowsAsync<ZoomException>(() => Client.CreateMeeting(Site, Meeting("b"), default));
        Assert.True(refused.IsDailyLimit);
        Assert.Single(_zoom.Meetings());
    }

    [Fact]
    public async Task An_unknown_zoom_user_is_null() => Assert.Null(await Client.FindUser(Site, "nobody@zoom.example", default));
}
