using System.Net;
using System.Text;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Alone, so that the memory measured is the webhook's and not another test's.</summary>
[CollectionDefinition(nameof(WebhookMemory), DisableParallelization = true)]
public sealed class WebhookMemory;

/// <summary>
/// Probe findings: the Zoom webhook read any body whole before checking anything, and an absurd
/// timestamp answered 500. Now the cheap checks come first and the body is capped before it is read.
/// </summary>
[Collection(nameof(WebhookMemory))]
public sealed class WebhookLimitsTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    static HttpRequestMessage Post(TestSite site, HttpContent content, string? timestamp, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, site.Api("webhooks/zoom")) { Content = content };
        if (timestamp is not null) request.Headers.TryAddWithoutValidation("x-zm-request-timestamp", timestamp);
        if (signature is not null) request.Headers.TryAddWithoutValidation("x-zm-signature", signature);
        return request;
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("999999999999999")]
    [InlineData("-1")]
    [InlineData("1e10")]
    [InlineData("17650000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public async Task An_absurd_webhook_timestamp_is_refused_with_a_problem(string timestamp)
    {
        var z = await ZoomSite.Create(world, "wh_ts" + Guid.NewGuid().ToString("N")[..7]);
        var body = """{"event":"meeting.started","payload":{}}""";
        var response = await z.Site.Anonymous().SendAsync(Post(z.Site, new StringContent(body, Encoding.UTF8, "application/json"),
            timestamp, ZoomWebhookSignature.Signature(ZoomSite.WebhookSecret, timestamp, body)));
        await Http.AssertProblem(response, 401, "signature-invalid");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_webhook_body_over_the_cap_is_refused_as_too_large(bool declaresLength)
    {
        var z = await ZoomSite.Create(world, "wh_big" + (declaresLength ? "1" : "2"));
        var body = "{\"event\":\"meeting.started\",\"payload\":{\"pad\":\"" + new string('x', ZoomWebhooksApi.MaxBodyBytes + 10) + "\"}}";
        var ts = world.Clock.GetUtcNow().ToUnixTimeSeconds().ToString();
        HttpContent content = declaresLength
            ? new StringContent(body, Encoding.UTF8, "application/json")
            : new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(body)));
        var response = await z.Site.Anonymous().SendAsync(Post(z.Site, content, ts, ZoomWebhookSignature.Signature(ZoomSite.WebhookSecret, ts, body)));
        await Http.AssertProblem(response, 413, "too-large");
    }

    [Fact]
    public async Task Many_large_anonymous_webhook_posts_do_not_raise_the_apps_memory()
    {
        var z = await ZoomSite.Create(world, "wh_flood");
        var payload = new byte[8 * 1024 * 1024];
        Array.Fill(payload, (byte)'x');
        await Refused(Post(z.Site, new ByteArrayContent(payload), null, null)); // warm-up
        var before = GC.GetTotalAllocatedBytes(precise: true);

        for (var i = 0; i < 20; i++)
        {
            await Refused(Post(z.Site, new StreamContent(new UnknownLengthStream(payload)), null, null));
            await Refused(Post(z.Site, new ByteArrayContent(payload), "1700000000", "v0=00"));
        }

        // 320 MB were posted; reading them as text would allocate at least twice that.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 100L * 1024 * 1024, $"the app allocated {allocated / 1024 / 1024} MB for 40 refused posts of 8 MB");
    }

    /// <summary>Refused with a 4xx, or cut off while still sending: either way the app did not take the body.</summary>
    async Task Refused(HttpRequestMessage request)
    {
        try
        {
            var response = await world.App.Anonymous().SendAsync(request);
            Assert.InRange((int)response.StatusCode, 400, 499);
        }
        catch (HttpRequestException)
        {
        }
    }

    /// <summary>A body sent chunked, without Content-Length.</summary>
    sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
