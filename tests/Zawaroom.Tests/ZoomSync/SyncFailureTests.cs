using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Sites;
using Zawaroom.Storage;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>What a sync run or a webhook leaves behind when it is slow or fails half-way.</summary>
public sealed class SyncFailureTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task A_run_slower_than_its_lease_leaves_the_lease_another_instance_took_over()
    {
        var z = await ZoomSite.Create(world, "zs_lease", members: "alice@lease.example");
        await z.AddEntry("alice@lease.example");
        var store = world.App.Services.GetRequiredService<IDocumentStore>();
        var siteId = (await world.App.Services.GetRequiredService<SiteDirectory>().FindBySubdomain("zs_lease", default))!.Value.Id;
        var other = new SiteSync.Lease("other-instance", world.Clock.GetUtcNow() + TimeSpan.FromMinutes(10));
        world.Faults.OnStep = step =>
        {
            if (step != "zoom-created") return;
            world.Faults.OnStep = null;
            // This run stalls past its lease; another instance takes the expired lease over, as TakeLease does.
            var current = store.Get<SiteSync.Lease>(siteId, SiteSync.LeaseKind, "lease", default).GetAwaiter().GetResult()!;
            store.Replace(siteId, SiteSync.LeaseKind, "lease", other, current.ETag, default).GetAwaiter().GetResult();
        };
        try
        {
            Assert.Equal(1, (await z.Sync()).GetProperty("created").GetInt32());
        }
        finally { world.Faults.OnStep = null; }

        var lease = await store.Get<SiteSync.Lease>(siteId, SiteSync.LeaseKind, "lease", default);
        Assert.NotNull(lease);
        Assert.Equal("other-instance", lease.Value.Holder);
        // While the other holder has it, a "sync now" is told the site is busy instead of working it a second time.
        var busy = await z.Admin.PostAsync(z.Site.Api("admin/zoom/sync"), null);
        Assert.Equal("busy", (await Http.Ensure<JsonElement>(busy)).GetProperty("outcome").GetString());
        await store.Delete(siteId, SiteSync.LeaseKind, "lease", null, default);
    }

    static HttpRequestMessage Signed(TestSite site, string body, DateTimeOffset at)
    {
        var ts = at.ToUnixTimeSeconds().ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, site.Api("webhooks/zoom")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-zm-request-timestamp", ts);
        request.Headers.Add("x-zm-signature", ZoomWebhookSignature.Signature(ZoomSite.WebhookSecret, ts, body));
        return request;
    }

    [Fact]
    public async Task A_webhook_whose_handling_failed_is_applied_when_zoom_retries_it()
    {
        var z = await ZoomSite.Create(world, "zs_hookretry", members: "alice@hookretry.example");
        var id = await z.AddEntry("alice@hookretry.example");
        await z.Sync();
        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@hookretry.example"))["id"]!;
        world.Zoom.DeleteInZoom(meetingId);
        var body = JsonSerializer.Serialize(new { @event = "meeting.deleted", event_ts = 1765000000001, payload = new { account_id = "acct-1", @object = new { id = meetingId, uuid = "u2", topic = "定例" } } });
        var anonymous = z.Site.Anonymous();

        world.Faults.Step = "webhook-handling";
        var failed = await anonymous.SendAsync(Signed(z.Site, body, world.Clock.GetUtcNow()));
        world.Faults.Step = null;
        Assert.False(failed.IsSuccessStatusCode); // Zoom retries a delivery that was not answered 2xx
        Assert.Equal("linked", (await z.Entry("alice@hookretry.example", id)).GetProperty("zoom").GetProperty("state").GetString());

        var retried = await Http.Ensure<JsonElement>(await anonymous.SendAsync(Signed(z.Site, body, world.Clock.GetUtcNow().AddSeconds(5))));

        Assert.Equal("applied", retried.GetProperty("status").GetString());
        Assert.Equal("none", (await z.Entry("alice@hookretry.example", id)).GetProperty("zoom").GetProperty("state").GetString());
    }
}
