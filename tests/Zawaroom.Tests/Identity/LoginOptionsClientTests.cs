using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Identity;

/// <summary>
/// The login page signs people in with Entra ID / B2C by itself (authorization code + PKCE), so
/// login-options tells it each configured provider's endpoints and client id, and never invents
/// them for a provider this server has no configuration for.
/// </summary>
public sealed class LoginOptionsClientTests
{
    static async Task<JsonElement[]> Providers(TestApp app, string sub)
    {
        var options = JsonDocument.Parse(await app.Anonymous().GetStringAsync($"/s/{sub}/api/login-options")).RootElement;
        return options.GetProperty("providers").EnumerateArray().ToArray();
    }

    [Fact]
    public async Task A_configured_B2C_provider_offers_its_sign_in_and_sign_up_endpoints_and_an_unconfigured_one_none()
    {
        await using var app = new TestApp()
            .With("Zawaroom:Identity:AadB2c:Instance", "https://zawaroom.b2clogin.com/")
            .With("Zawaroom:Identity:AadB2c:Domain", "zawaroom.onmicrosoft.com")
            .With("Zawaroom:Identity:AadB2c:SignUpSignInPolicyId", "B2C_1_susi")
            .With("Zawaroom:Identity:AadB2c:SignUpPolicyId", "B2C_1_signup")
            .With("Zawaroom:Identity:AadB2c:ClientId", "b2c-client-id");
        await app.InitializeAsync();
        await app.CreateSite("b2csite");

        var providers = await Providers(app, "b2csite");

        var b2c = Assert.Single(providers, p => p.GetProperty("authType").GetString() == "aad-b2c").GetProperty("client");
        Assert.Equal("b2c-client-id", b2c.GetProperty("clientId").GetString());
        Assert.Equal("https://zawaroom.b2clogin.com/zawaroom.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize", b2c.GetProperty("authorizeUrl").GetString());
        Assert.Equal("https://zawaroom.b2clogin.com/zawaroom.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/token", b2c.GetProperty("tokenUrl").GetString());
        Assert.Equal("https://zawaroom.b2clogin.com/zawaroom.onmicrosoft.com/B2C_1_signup/oauth2/v2.0/authorize", b2c.GetProperty("signUpAuthorizeUrl").GetString());
        Assert.Equal("openid", b2c.GetProperty("scope").GetString());
        // aad has no client id here: the button is offered (S4) but with no way to sign in invented for it.
        var aad = Assert.Single(providers, p => p.GetProperty("authType").GetString() == "aad");
        Assert.False(aad.TryGetProperty("client", out _));
    }

    [Fact]
    public async Task An_Entra_ID_provider_with_a_client_id_offers_the_tenant_endpoints()
    {
        await using var app = new TestApp()
            .With("Zawaroom:Identity:Aad:ClientId", "aad-client-id")
            .With("Zawaroom:Identity:Aad:TenantId", "organizations");
        await app.InitializeAsync();
        await app.CreateSite("aadsite");

        var providers = await Providers(app, "aadsite");

        var aad = Assert.Single(providers, p => p.GetProperty("authType").GetString() == "aad").GetProperty("client");
        Assert.Equal("aad-client-id", aad.GetProperty("clientId").GetString());
        Assert.Equal("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize", aad.GetProperty("authorizeUrl").GetString());
        Assert.False(aad.TryGetProperty("signUpAuthorizeUrl", out _));
        var b2c = Assert.Single(providers, p => p.GetProperty("authType").GetString() == "aad-b2c");
        Assert.False(b2c.TryGetProperty("client", out _));
    }
}
