using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Identity;

/// <summary>
/// Two apps on one local OIDC stand-in: a multi-tenant Entra ID app with B2C, and an app bound to
/// one Entra ID tenant.
/// </summary>
public sealed class EntraFixture : IAsyncLifetime
{
    public const string AadClientId = "11111111-2222-4333-8444-555555555555";
    public const string B2cClientId = "b2c-client-0000-4000-8000-000000000001";
    public const string TenantA = "aaaaaaaa-0000-4000-8000-00000000000a";
    public const string TenantB = "bbbbbbbb-0000-4000-8000-00000000000b";

    public OidcStandIn Oidc { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;
    public TestApp TenantAOnly { get; private set; } = null!;
    int _sites;

    public async Task InitializeAsync()
    {
        Oidc = await OidcStandIn.Start();
        App = Configure(new TestApp());
        TenantAOnly = Configure(new TestApp()).With("Zawaroom:Identity:Aad:TenantId", TenantA);
        await App.InitializeAsync();
        await TenantAOnly.InitializeAsync();
    }

    TestApp Configure(TestApp app) => app
        .With("Zawaroom:Identity:AllowHttpMetadata", "true")
        .With("Zawaroom:Identity:Aad:Instance", Oidc.Base + "/")
        .With("Zawaroom:Identity:Aad:ClientId", AadClientId)
        .With("Zawaroom:Identity:AadB2c:Instance", Oidc.Base + "/")
        .With("Zawaroom:Identity:AadB2c:Domain", OidcStandIn.B2cDomain)
        .With("Zawaroom:Identity:AadB2c:SignUpSignInPolicyId", OidcStandIn.B2cPolicy)
        .With("Zawaroom:Identity:AadB2c:ClientId", B2cClientId);

    public Task<TestSite> NewSite(TestApp? app = null) =>
        (app ?? App).CreateSite($"entra{Interlocked.Increment(ref _sites)}");

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await ((IAsyncLifetime)TenantAOnly).DisposeAsync();
        await Oidc.DisposeAsync();
    }
}

public sealed class EntraLoginTests(EntraFixture f) : IClassFixture<EntraFixture>
{
    OidcStandIn Oidc => f.Oidc;

    static async Task<HttpResponseMessage> Me(TestSite site, string token)
    {
        var client = site.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync(site.Api("me"));
    }

    static async Task<JsonElement> MeOk(TestSite site, string token) => await Http.Ensure<JsonElement>(await Me(site, token));

    /// <summary>Asked with an admin client made before the site's domain rules changed.</summary>
    static async Task<bool> IsMember(TestSite site, HttpClient admin, string email)
    {
        var list = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("admin/members")));
        return list.GetProperty("items").EnumerateArray().Any(m => m.GetProperty("email").GetString() == email);
    }

    static async Task<HttpClient> Configure(TestSite site, object patch)
    {
        var admin = await site.Admin();
        await Http.Ensure(await admin.Patch(site.Api("admin/site"), patch));
        return admin;
    }

    [Fact]
    public async Task A_registered_member_with_a_valid_entra_token_gets_me()
    {
        var site = await f.NewSite();
        await site.AddMember("alice@contoso.example");

        var me = await MeOk(site, Oidc.AadToken(EntraFixture.TenantA, "Alice@Contoso.example", EntraFixture.AadClientId));

        Assert.Equal("alice@contoso.example", me.GetProperty("email").GetString());
        Assert.Equal("user", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task The_email_claim_is_used_when_preferred_username_is_missing()
    {
        var site = await f.NewSite();
        await site.AddMember("carol@contoso.example");

        var me = await MeOk(site, Oidc.AadToken(EntraFixture.TenantB, "carol@contoso.example", EntraFixture.AadClientId, emailClaim: "email"));

        Assert.Equal("carol@contoso.example", me.GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_token_for_the_app_id_uri_audience_is_accepted()
    {
        var site = await f.NewSite();
        await site.AddMember("dave@contoso.example");

        await MeOk(site, Oidc.AadToken(EntraFixture.TenantA, "dave@contoso.example", $"api://{EntraFixture.AadClientId}"));
    }

    public static TheoryData<string> BadTokens => new()
    {
        "expired", "wrong-audience", "wrong-issuer", "tid-not-the-issuers-tenant", "wrong-signature", "not-a-jwt", "b2c-token-for-aad-audience",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_of_a_registered_member_is_401(string kind)
    {
        var site = await f.NewSite();
        const string email = "erin@contoso.example";
        await site.AddMember(email);
        var token = kind switch
        {
            "expired" => Oidc.AadToken(EntraFixture.TenantA, email, EntraFixture.AadClientId, expires: DateTimeOffset.UtcNow.AddMinutes(-10)),
            "wrong-audience" => Oidc.AadToken(EntraFixture.TenantA, email, "99999999-2222-4333-8444-555555555555"),
            "wrong-issuer" => Oidc.AadToken(EntraFixture.TenantA, email, EntraFixture.AadClientId, issuer: $"https://login.example.org/{EntraFixture.TenantA}/v2.0"),
            "tid-not-the-issuers-tenant" => Oidc.AadToken(EntraFixture.TenantA, email, EntraFixture.AadClientId, tid: EntraFixture.TenantB),
            "wrong-signature" => Oidc.AadToken(EntraFixture.TenantA, email, EntraFixture.AadClientId, otherKey: true),
            "not-a-jwt" => "garbage.token.here",
            "b2c-token-for-aad-audience" => Oidc.B2cToken(email, EntraFixture.AadClientId),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await Http.AssertProblem(await Me(site, token), 401, "unauthenticated");
    }

    [Fact]
    public async Task An_app_bound_to_one_tenant_refuses_another_tenants_token()
    {
        var site = await f.NewSite(f.TenantAOnly);
        await site.AddMember("frank@contoso.example");

        await MeOk(site, Oidc.AadToken(EntraFixture.TenantA, "frank@contoso.example", EntraFixture.AadClientId));
        await Http.AssertProblem(await Me(site, Oidc.AadToken(EntraFixture.TenantB, "frank@contoso.example", EntraFixture.AadClientId)),
            401, "unauthenticated");
    }

    [Fact]
    public async Task A_provider_disabled_on_the_site_lets_nobody_in_with_its_tokens()
    {
        var site = await f.NewSite();
        await site.AddMember("gina@contoso.example");
        await site.AddMember("gina@b2c.example", "aad-b2c");
        var admin = await site.Admin();
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/login-providers"), new object[]
        {
            new { id = "aad", name = "Microsoft", enable = false, authType = "aad" },
            new { id = "aad-b2c", name = "zawaroom", enable = true, authType = "aad-b2c" },
        }));

        await Http.AssertProblem(await Me(site, Oidc.AadToken(EntraFixture.TenantA, "gina@contoso.example", EntraFixture.AadClientId)),
            401, "unauthenticated");
        await MeOk(site, Oidc.B2cToken("gina@b2c.example", EntraFixture.B2cClientId));
    }

    [Fact]
    public async Task A_registered_b2c_member_gets_me_with_the_emails_claim()
    {
        var site = await f.NewSite();
        await site.AddMember("henry@b2c.example", "aad-b2c");

        var me = await MeOk(site, Oidc.B2cToken("henry@b2c.example", EntraFixture.B2cClientId));

        Assert.Equal("henry@b2c.example", me.GetProperty("email").GetString());
    }

    [Fact]
    public async Task An_expired_b2c_token_is_401()
    {
        var site = await f.NewSite();
        await site.AddMember("ivy@b2c.example", "aad-b2c");

        await Http.AssertProblem(await Me(site, Oidc.B2cToken("ivy@b2c.example", EntraFixture.B2cClientId, DateTimeOffset.UtcNow.AddMinutes(-10))),
            401, "unauthenticated");
    }

    [Fact]
    public async Task A_b2c_user_is_never_auto_registered_even_on_a_full_auto_site()
    {
        var site = await f.NewSite();
        var admin = await Configure(site, new { userRegisterType = "full-auto" });

        await Http.AssertProblem(await Me(site, Oidc.B2cToken("jack@b2c.example", EntraFixture.B2cClientId)), 403, "not-registered");
        Assert.False(await IsMember(site, admin, "jack@b2c.example"));
    }

    /// <summary>U5, every row of the table, with allowDomainNames in front of it.</summary>
    public static TheoryData<string, string[], string[], string, string?> AutoRegistration => new()
    {
        // registerType, allowDomainNames, autoRegisterDomainNames, who, refusal (null = registered as a user)
        { "full-auto", [], [], "kim@anywhere.example", null },
        { "full-auto", ["contoso.example"], [], "kim@contoso.example", null },
        { "full-auto", ["contoso.example"], [], "kim@fabrikam.example", "domain-not-allowed" },
        { "full-auto", [], ["fabrikam.example"], "kim@contoso.example", null },
        { "semi-auto", [], ["contoso.example"], "kim@contoso.example", null },
        { "semi-auto", [], ["contoso.example"], "kim@fabrikam.example", "not-registered" },
        { "semi-auto", ["fabrikam.example"], ["contoso.example"], "kim@contoso.example", "domain-not-allowed" },
        { "semi-auto", [], [], "kim@contoso.example", "not-registered" },
        { "manual", [], ["contoso.example"], "kim@contoso.example", "not-registered" },
        { "manual", [], [], "kim@contoso.example", "not-registered" },
    };

    [Theory]
    [MemberData(nameof(AutoRegistration))]
    public async Task First_entra_login_follows_the_auto_registration_table(string registerType, string[] allow, string[] auto, string email, string? refusal)
    {
        var site = await f.NewSite();
        var admin = await Configure(site, new { userRegisterType = registerType, allowDomainNames = allow, autoRegisterDomainNames = auto });
        var token = Oidc.AadToken(EntraFixture.TenantB, email, EntraFixture.AadClientId, name: "Kim Entra");

        var response = await Me(site, token);

        if (refusal is null)
        {
            var me = await Http.Ensure<JsonElement>(response);
            Assert.Equal("user", me.GetProperty("role").GetString());
            Assert.Equal("Kim Entra", me.GetProperty("name").GetString());
            Assert.True(await IsMember(site, admin, email));
            await MeOk(site, token); // the second login finds the member
        }
        else
        {
            await Http.AssertProblem(response, 403, refusal);
            Assert.False(await IsMember(site, admin, email));
        }
    }

    [Fact]
    public async Task A_registered_member_of_a_domain_no_longer_allowed_is_refused()
    {
        var site = await f.NewSite();
        await site.AddMember("liam@fabrikam.example");
        await Configure(site, new { allowDomainNames = new[] { "contoso.example" } });

        await Http.AssertProblem(await Me(site, Oidc.AadToken(EntraFixture.TenantA, "liam@fabrikam.example", EntraFixture.AadClientId)),
            403, "domain-not-allowed");
    }

    [Fact]
    public async Task An_entra_token_lets_its_bearer_into_that_site_only()
    {
        var site = await f.NewSite();
        var other = await f.NewSite();
        await site.AddMember("mia@contoso.example");
        var token = Oidc.AadToken(EntraFixture.TenantA, "mia@contoso.example", EntraFixture.AadClientId);

        await MeOk(site, token);
        await Http.AssertProblem(await Me(other, token), 403, "not-registered");
    }
}
