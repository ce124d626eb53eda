using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Members;

public sealed class MembersTests(TestApp app) : IClassFixture<TestApp>
{
    static string Sub() => "m" + Guid.NewGuid().ToString("N")[..8];

    static async Task<JsonElement> List(TestSite site) =>
        await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("admin/members?pageSize=500")));

    static IEnumerable<string> Emails(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("email").GetString()!);

    [Fact]
    public async Task An_admin_adds_a_member_who_can_then_sign_in_as_a_user()
    {
        var site = await app.CreateSite(Sub());

        await site.AddMember("Alice@Corp.example");
        var alice = await site.As("alice@corp.example");
        var me = await Http.Ensure<JsonElement>(await alice.GetAsync(site.Api("me")));

        Assert.Equal("alice@corp.example", me.GetProperty("email").GetString());
        Assert.Equal("user", me.GetProperty("role").GetString());
        var page = await List(site);
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(50, page.GetProperty("maxUsersCount").GetInt32());
    }

    [Fact]
    public async Task A_duplicate_member_is_refused_whatever_the_case()
    {
        var site = await app.CreateSite(Sub());
        await site.AddMember("bob@corp.example");

        var response = await (await site.Admin()).PostAsJsonAsync(site.Api("admin/members"), new { email = "BOB@corp.example", authType = "aad" });

        await Http.AssertProblem(response, 409, "member-exists");
        Assert.Single(Emails(await List(site)), e => e == "bob@corp.example");
    }

    [Fact]
    public async Task Adding_beyond_maxUsersCount_is_refused_even_when_admins_race()
    {
        var site = await app.CreateSite(Sub(), maxUsersCount: 5);
        var admin = await site.Admin();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            admin.PostAsJsonAsync(site.Api("admin/members"), new { email = $"p{i}@corp.example", authType = "aad" })));

        Assert.Equal(4, responses.Count(r => r.IsSuccessStatusCode));
        foreach (var refused in responses.Where(r => !r.IsSuccessStatusCode))
            await Http.AssertProblem(refused, 409, "max-users-reached");
        Assert.Equal(5, (await List(site)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Revoking_or_deleting_the_last_site_admin_is_refused()
    {
        var site = await app.CreateSite(Sub());
        var admin = await site.Admin();

        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/members/revoke-site-admin"), new { emails = new[] { site.AdminEmail } }), 409, "last-site-admin");
        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { site.AdminEmail } }), 409, "last-site-admin");

        var me = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")));
        Assert.Equal("siteAdmin", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Two_admins_revoking_each_other_at_once_leave_one_admin()
    {
        var site = await app.CreateSite(Sub());
        await site.AddMember("second@corp.example");
        var admin = await site.Admin();
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/grant-site-admin"), new { emails = new[] { "second@corp.example" } }));
        var second = await site.As("second@corp.example");

        var results = await Task.WhenAll(
            admin.PostAsJsonAsync(site.Api("admin/members/revoke-site-admin"), new { emails = new[] { "second@corp.example" } }),
            second.PostAsJsonAsync(site.Api("admin/members/revoke-site-admin"), new { emails = new[] { site.AdminEmail } }));

        // Whichever of the two is still a site admin reads the list.
        var survivor = (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")))).GetProperty("role").GetString() == "siteAdmin" ? admin : second;
        var page = await Http.Ensure<JsonElement>(await survivor.GetAsync(site.Api("admin/members?pageSize=500")));
        var admins = page.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("role").GetString() == "siteAdmin");
        Assert.Equal(1, admins);
        Assert.Contains(results, r => r.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_bulk_delete_naming_an_unknown_email_deletes_nobody()
    {
        var site = await app.CreateSite(Sub());
        await site.AddMember("carol@corp.example");

        var response = await (await site.Admin()).PostAsJsonAsync(site.Api("admin/members/delete"),
            new { emails = new[] { "carol@corp.example", "ghost@corp.example" } });

        var problem = await Http.AssertProblem(response, 404, "not-found");
        Assert.Equal("ghost@corp.example", problem.GetProperty("unknownEmails")[0].GetString());
        Assert.Contains("carol@corp.example", Emails(await List(site)));
    }

    [Fact]
    public async Task A_deleted_member_can_no_longer_use_their_token()
    {
        var site = await app.CreateSite(Sub());
        await site.AddMember("dave@corp.example");
        var dave = await site.As("dave@corp.example");

        await Http.Ensure(await (await site.Admin()).PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { "dave@corp.example" } }));

        await Http.AssertProblem(await dave.GetAsync(site.Api("spaces")), 401, "unauthenticated");
    }

    [Theory]
    [InlineData("{\"email\":", "malformed JSON")]
    [InlineData("{\"email\": 42, \"authType\": \"aad\"}", "a number for the e-mail")]
    [InlineData("{\"email\": \"x@corp.example\", \"authType\": \"facebook\"}", "an unknown auth type")]
    [InlineData("{\"email\": \"not-an-email\", \"authType\": \"aad\"}", "a bad e-mail")]
    [InlineData("[1,2]", "an array")]
    [InlineData("{\"email\": \"x@corp.example\", \"authType\": \"local\"}", "the local auth type")]
    public async Task Bad_input_is_a_validation_problem_and_adds_nobody(string body, string because)
    {
        var site = await app.CreateSite(Sub());

        var response = await (await site.Admin()).PostRaw(site.Api("admin/members"), body);

        await Http.AssertProblem(response, 400, "validation");
        Assert.True((await List(site)).GetProperty("total").GetInt32() == 1, because);
    }

    [Fact]
    public async Task Read_only_site_fields_cannot_be_patched_by_a_site_admin()
    {
        var site = await app.CreateSite(Sub());
        var admin = await site.Admin();

        await Http.AssertProblem(await admin.Patch(site.Api("admin/site"), new { maxUsersCount = 1000 }), 403, "forbidden");
        await Http.AssertProblem(await admin.Patch(site.Api("admin/site"), new { showSiteLink = "yes" }), 400, "validation");
        await Http.AssertProblem(await admin.Patch(site.Api("admin/site"), new { allowDomainNames = new[] { "not a domain" } }), 400, "validation");

        var info = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("admin/site")));
        Assert.Equal(50, info.GetProperty("maxUsersCount").GetInt32());
        Assert.Equal(0, info.GetProperty("allowDomainNames").GetArrayLength());
    }

    [Fact]
    public async Task Login_options_list_enabled_providers_in_the_admins_order()
    {
        var site = await app.CreateSite(Sub());
        var admin = await site.Admin();

        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/login-providers"), new[]
        {
            new { id = "aad-b2c", name = "ゲスト", enable = true },
            new { id = "aad", name = "社員", enable = false },
        }));

        var options = await Http.Ensure<JsonElement>(await site.Anonymous().GetAsync(site.Api("login-options")));
        var names = options.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["ゲスト", "ローカルログイン（開発用）"], names);
    }

    [Fact]
    public async Task Disabling_every_login_provider_is_refused()
    {
        var site = await app.CreateSite(Sub());

        var response = await (await site.Admin()).PutAsJsonAsync(site.Api("admin/login-providers"), new[]
        {
            new { id = "aad", name = "a", enable = false },
            new { id = "aad-b2c", name = "b", enable = false },
        });

        await Http.AssertProblem(response, 400, "validation");
    }
}
