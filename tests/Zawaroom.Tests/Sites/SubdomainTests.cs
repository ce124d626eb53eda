using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Sites;

public sealed class SubdomainTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData("ab")]
    [InlineData("abcdefghijklm")]
    [InlineData("Abc")]
    [InlineData("ab.c")]
    [InlineData("ａｂｃ")]
    [InlineData("a b c")]
    public async Task An_invalid_subdomain_is_refused_and_no_site_is_made(string subdomain)
    {
        var response = await app.Operator().PostAsJsonAsync("/operator/api/sites",
            new { subdomain, adminEmail = "a@x.example", adminAuthType = "aad", maxUsersCount = 5 });

        await Http.AssertProblem(response, 400, "subdomain-invalid");
        var sites = await Http.Ensure<JsonElement>(await app.Operator().GetAsync("/operator/api/sites"));
        Assert.DoesNotContain(sites.EnumerateArray(), s => s.GetProperty("subdomain").GetString() == subdomain);
    }

    [Fact]
    public async Task A_taken_subdomain_is_refused()
    {
        await app.CreateSite("taken_1");

        var response = await app.Operator().PostAsJsonAsync("/operator/api/sites",
            new { subdomain = "taken_1", adminEmail = "other@x.example", adminAuthType = "aad", maxUsersCount = 5 });

        await Http.AssertProblem(response, 409, "subdomain-taken");
    }

    [Fact]
    public async Task Three_and_twelve_characters_are_accepted()
    {
        await app.CreateSite("a-_");
        await app.CreateSite("abcdefghij12");
    }

    [Fact]
    public async Task A_renamed_site_answers_at_its_new_subdomain_only()
    {
        var site = await app.CreateSite("oldname");

        var response = await app.Operator().Patch("/operator/api/sites/oldname", new { subdomain = "newname" });

        await Http.Ensure(response);
        await Http.AssertProblem(await app.Anonymous().GetAsync("/s/oldname/api/login-options"), 404, "not-found");
        await Http.Ensure(await app.Anonymous().GetAsync("/s/newname/api/login-options"));
        // The old subdomain is free again.
        await app.CreateSite("oldname");
    }

    [Fact]
    public async Task The_operator_API_refuses_a_wrong_key_and_site_tokens()
    {
        var site = await app.CreateSite("opcheck");
        var admin = await site.Admin();

        await Http.AssertProblem(await app.Anonymous().GetAsync("/operator/api/sites"), 401, "unauthenticated");
        await Http.AssertProblem(await admin.GetAsync("/operator/api/sites"), 401, "unauthenticated");
    }

    [Fact]
    public async Task A_site_is_found_by_its_host_name()
    {
        await app.CreateSite("hosted");
        var client = app.Anonymous();

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/login-options");
        request.Headers.Host = "hosted.zawaroom.com";
        var response = await client.SendAsync(request);

        await Http.Ensure(response);
        var unknown = new HttpRequestMessage(HttpMethod.Get, "/api/login-options");
        unknown.Headers.Host = "nosuch.zawaroom.com";
        await Http.AssertProblem(await client.SendAsync(unknown), 404, "not-found");
    }
}
