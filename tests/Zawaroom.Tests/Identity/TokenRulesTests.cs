using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Identity;

/// <summary>Probe findings on tokens: accepted in the query of any API, kept working after local login was turned off, and after a member was deleted and added again.</summary>
public sealed class TokenRulesTests(TestApp app) : IClassFixture<TestApp>
{
    static async Task<string> TokenOf(TestSite site, string email) =>
        (await Http.Ensure<JsonElement>(await site.Anonymous().PostAsJsonAsync(site.Api("auth/local"), new { email }))).GetProperty("token").GetString()!;

    [Fact]
    public async Task A_token_in_the_query_is_refused_on_api_routes_and_for_the_operator_key()
    {
        var site = await app.CreateSite("tok_query");
        var token = Uri.EscapeDataString(await TokenOf(site, site.AdminEmail));
        var anonymous = site.Anonymous();

        await Http.AssertProblem(await anonymous.GetAsync(site.Api($"me?access_token={token}")), 401, "unauthenticated");
        await Http.AssertProblem(await anonymous.GetAsync(site.Api($"admin/members?access_token={token}")), 401, "unauthenticated");
        await Http.AssertProblem(await anonymous.GetAsync($"/operator/api/sites?access_token={TestApp.OperatorKey}"), 401, "unauthenticated");
        // The same token in the header works.
        var header = new HttpRequestMessage(HttpMethod.Get, site.Api("me"));
        header.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Uri.UnescapeDataString(token));
        await Http.Ensure(await anonymous.SendAsync(header));
    }

    [Fact]
    public async Task A_member_deleted_and_added_again_does_not_get_back_in_with_an_old_token()
    {
        var site = await app.CreateSite("tok_readd");
        var email = await site.AddMember("carol@readd.example");
        var old = await site.As(email);
        await Http.Ensure(await old.GetAsync(site.Api("me")));
        var admin = await site.Admin();

        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { email } }));
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members"), new { email, authType = "aad" }));

        await Http.AssertProblem(await old.GetAsync(site.Api("me")), 401, "unauthenticated");
        var fresh = await site.As(email);
        await Http.Ensure(await fresh.GetAsync(site.Api("me")));
    }

    [Fact]
    public async Task Local_login_tokens_stop_working_when_local_login_is_turned_off()
    {
        var site = await app.CreateSite("tok_off");
        var admin = await site.Admin();
        await Http.Ensure(await admin.GetAsync(site.Api("me")));

        // The same data (store and signing key), restarted with the local login off.
        await using var off = new TestApp().With("Zawaroom:DataDirectory", app.DataDirectory).With("Zawaroom:Auth:LocalLogin", "false");
        await off.InitializeAsync();
        var client = off.Anonymous();
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;

        await Http.AssertProblem(await client.GetAsync(site.Api("me")), 401, "unauthenticated");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(site.Api("me"))).StatusCode);
    }

    [Fact]
    public async Task A_live_room_ticket_works_in_the_hub_query_but_not_after_the_member_was_deleted_and_added_again()
    {
        var site = await app.CreateSite("tok_live");
        var room = await site.AddRoom(await site.AddSpace());
        var email = await site.AddMember("dave@live.example");
        var dave = await site.As(email);
        var entered = await Http.Ensure<JsonElement>(await dave.PostAsync(site.Api($"rooms/{room}/enter"), null));
        var ticket = entered.GetProperty("negotiate").GetProperty("accessToken").GetString()!;
        var negotiate = site.Api($"hubs/room/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(ticket)}");
        Assert.Equal(HttpStatusCode.OK, (await site.Anonymous().PostAsync(negotiate, null)).StatusCode);

        // Token times are whole seconds: the new registration must be in a later second than the ticket.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var admin = await site.Admin();
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { email } }));
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members"), new { email, authType = "aad" }));

        await Http.AssertProblem(await site.Anonymous().PostAsync(negotiate, null), 401, "unauthenticated");
    }
}
