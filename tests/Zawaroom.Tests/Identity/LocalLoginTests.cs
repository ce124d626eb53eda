using System.Net.Http.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Identity;

public sealed class LocalLoginTests
{
    [Fact]
    public async Task The_app_refuses_to_start_in_Production_with_local_login_on()
    {
        await using var app = new TestApp { Environment = "Production" };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.InitializeAsync());

        Assert.Contains("LocalLogin", error.ToString());
    }

    [Fact]
    public async Task With_local_login_off_the_endpoint_is_not_there_and_not_offered()
    {
        await using var app = new TestApp().With("Zawaroom:Auth:LocalLogin", "false");
        await app.InitializeAsync();
        await app.CreateSite("nolocal");

        var response = await app.Anonymous().PostAsJsonAsync("/s/nolocal/api/auth/local", new { email = "admin@nolocal.example" });

        await Http.AssertProblem(response, 404, "not-found");
        var options = System.Text.Json.JsonDocument.Parse(await app.Anonymous().GetStringAsync("/s/nolocal/api/login-options")).RootElement;
        Assert.DoesNotContain(options.GetProperty("providers").EnumerateArray(), p => p.GetProperty("authType").GetString() == "local");
    }

    [Fact]
    public async Task A_token_of_one_site_is_refused_by_another()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var a = await app.CreateSite("site_a");
        var b = await app.CreateSite("site_b");
        var adminOfA = await a.Admin();

        await Http.AssertProblem(await adminOfA.GetAsync(b.Api("me")), 401, "unauthenticated");
        await Http.AssertProblem(await adminOfA.GetAsync(b.Api("admin/members")), 401, "unauthenticated");
    }

    [Fact]
    public async Task An_unregistered_person_cannot_log_in_on_a_manual_site()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var site = await app.CreateSite("manual");

        var response = await app.Anonymous().PostAsJsonAsync(site.Api("auth/local"), new { email = "stranger@corp.example" });

        await Http.AssertProblem(response, 403, "not-registered");
    }
}
