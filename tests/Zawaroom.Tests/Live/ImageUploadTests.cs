using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Logs;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

public sealed class ImageUploadTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task An_uploaded_image_is_stored_pushed_and_logged_once()
    {
        var site = await app.CreateSite("img-up");
        await site.AddMember("alice@img-up.example");
        await site.AddMember("bob@img-up.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var bob = await LiveClient.Enter(site, "bob@img-up.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@img-up.example", room);
        var http = await site.As("alice@img-up.example");

        HttpContent Image() => new ByteArrayContent(Png) { Headers = { ContentType = new("image/png") } };
        var first = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=i1"), Image()));
        var retry = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=i1"), Image()));

        Assert.Equal(first.Str("id"), retry.Str("id"));
        var pushed = await bob.Next("event", e => e.Str("type") == "register image");
        Assert.Equal(first.Str("url"), pushed.Str("url"));
        var stored = await (await site.As("bob@img-up.example")).GetAsync(first.Str("url"));
        Assert.Equal(Png, await stored.Content.ReadAsByteArrayAsync());
        var me = await Http.Ensure<JsonElement>(await http.GetAsync(site.Api("me")));
        var log = await app.Services.GetRequiredService<IEventLog>().Read(me.Str("siteId"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None).ToListAsync();
        Assert.Single(log, e => e.EventType == "register image");
        Assert.Equal("image/png", log.Single(e => e.EventType == "register image").Details["contentType"]);
    }

    [Fact]
    public async Task Only_someone_inside_the_room_places_an_image()
    {
        var site = await app.CreateSite("img-out");
        var room = await site.AddRoom(await site.AddSpace());
        var admin = await site.Admin();

        var outside = await admin.PostAsync(site.Api($"rooms/{room}/images"), new ByteArrayContent(Png) { Headers = { ContentType = new("image/png") } });
        var notImage = await admin.PostAsync(site.Api($"rooms/{room}/images"), new StringContent("hello"));

        await Http.AssertProblem(outside, 409, "not-in-room");
        await Http.AssertProblem(notImage, 415, "file-invalid");
    }
}
