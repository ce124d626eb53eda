using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Logs;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

public sealed class MemberRemovalTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_member_deleted_while_in_a_room_leaves_it_once_is_disconnected_and_cannot_come_back_with_an_old_ticket()
    {
        var site = await app.CreateSite("gone");
        await site.AddMember("alice@gone.example");
        await site.AddMember("bob@gone.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@gone.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@gone.example", room);
        var bobsBrowser = await site.As("bob@gone.example"); // logged in before the deletion
        var closed = new TaskCompletionSource();
        bob.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        var admin = await site.Admin();
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { "bob@gone.example" } }));

        Assert.Equal("bob@gone.example", (await alice.Next("left")).Str("email"));
        await closed.Task.WaitAsync(LiveClient.Patience);
        // The old ticket opens no new connection.
        var again = LiveClient.Connect(bob.Url, bob.AccessToken);
        await Assert.ThrowsAnyAsync<Exception>(() => again.StartAsync());
        await again.DisposeAsync();
        Assert.False((await bobsBrowser.PostAsync(site.Api($"rooms/{room}/enter"), null)).IsSuccessStatusCode);

        // Alice still acts normally; the log has Bob's "leave room" exactly once.
        await alice.Invoke("Message", new { text = "still here", cid = "m" });
        await alice.Next("event", e => e.Str("type") == "userMessage");
        var siteId = (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")))).Str("siteId");
        var log = await app.Services.GetRequiredService<IEventLog>()
            .Read(siteId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None)
            .Where(e => e.Email == "bob@gone.example").ToListAsync();
        Assert.Single(log, e => e.EventType == "leave room");
        var entry = await Http.Ensure<JsonElement>(await (await site.As("alice@gone.example")).PostAsync(site.Api($"rooms/{room}/enter"), null));
        Assert.False(entry.GetProperty("snapshot").HasPerson("bob@gone.example"));
    }
}
