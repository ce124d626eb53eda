using Microsoft.Extensions.Logging.Abstractions;
using Zawaroom.Identity;
using Zawaroom.Identity.Entra;
using Zawaroom.Sites;

namespace Zawaroom.Tests.Identity;

public sealed class EntraTokenValidatorTests : IAsyncLifetime
{
    OidcStandIn _oidc = null!;
    readonly HttpClient _http = new();

    public async Task InitializeAsync() => _oidc = await OidcStandIn.Start();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _oidc.DisposeAsync();
    }

    EntraTokenValidator Validator(bool allowHttp = true, params string[] allowedTenants) => new(new EntraOptions
    {
        AllowHttpMetadata = allowHttp,
        Aad = new AadAuthorityOptions { Instance = _oidc.Base, ClientId = EntraFixture.AadClientId, AllowedTenants = [.. allowedTenants] },
    }, _http, TimeProvider.System, NullLogger<EntraTokenValidator>.Instance);

    [Fact]
    public async Task Metadata_and_keys_are_fetched_once_for_many_tokens()
    {
        var validator = Validator();
        var before = _oidc.Served("aad-metadata");

        for (var i = 0; i < 5; i++)
        {
            var identity = await validator.Validate(_oidc.AadToken(EntraFixture.TenantA, $"user{i}@contoso.example", EntraFixture.AadClientId), default);
            Assert.Equal(new ExternalIdentity($"user{i}@contoso.example", "Alice Example", AuthType.Aad, EntraFixture.TenantA), identity);
        }

        Assert.Equal(1, _oidc.Served("aad-metadata") - before);
    }

    [Fact]
    public async Task Plain_http_metadata_is_refused_unless_the_test_flag_allows_it()
    {
        var token = _oidc.AadToken(EntraFixture.TenantA, "a@contoso.example", EntraFixture.AadClientId);

        Assert.Null(await Validator(allowHttp: false).Validate(token, default));
        Assert.NotNull(await Validator(allowHttp: true).Validate(token, default));
    }

    [Fact]
    public async Task Allowed_tenants_refuse_every_other_tenant()
    {
        var validator = Validator(true, EntraFixture.TenantA);

        Assert.NotNull(await validator.Validate(_oidc.AadToken(EntraFixture.TenantA, "a@contoso.example", EntraFixture.AadClientId), default));
        Assert.Null(await validator.Validate(_oidc.AadToken(EntraFixture.TenantB, "b@fabrikam.example", EntraFixture.AadClientId), default));
    }

    [Fact]
    public async Task A_token_without_an_email_address_is_refused()
    {
        Assert.Null(await Validator().Validate(_oidc.AadToken(EntraFixture.TenantA, "not-an-email", EntraFixture.AadClientId), default));
    }

    [Fact]
    public async Task Without_a_client_id_no_entra_token_is_accepted()
    {
        var validator = new EntraTokenValidator(new EntraOptions { AllowHttpMetadata = true, Aad = new AadAuthorityOptions { Instance = _oidc.Base } },
            _http, TimeProvider.System, NullLogger<EntraTokenValidator>.Instance);

        Assert.False(validator.IsConfigured);
        Assert.Null(await validator.Validate(_oidc.AadToken(EntraFixture.TenantA, "a@contoso.example", EntraFixture.AadClientId), default));
    }
}
