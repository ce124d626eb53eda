using System.Security.Claims;
using Zawaroom.Identity;
using Zawaroom.Identity.Entra;
using Zawaroom.Sites;

namespace Zawaroom.Tests.Identity;

public sealed class EntraClaimsTests
{
    static ExternalIdentity? Of(AuthType type, params (string Type, string Value)[] claims) =>
        EntraTokenValidator.IdentityOf(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))), type);

    [Fact]
    public void Preferred_username_name_and_tenant_make_the_identity() =>
        Assert.Equal(new ExternalIdentity("ann@contoso.example", "Ann", AuthType.Aad, "t1"),
            Of(AuthType.Aad, ("preferred_username", "Ann@Contoso.example"), ("name", " Ann "), ("tid", "t1")));

    [Fact]
    public void A_guest_upn_gives_way_to_the_email_claim() =>
        Assert.Equal("bob@gmail.example",
            Of(AuthType.Aad, ("preferred_username", "bob_gmail.example#EXT#@contoso.onmicrosoft.com"), ("email", "bob@gmail.example"))!.Email);

    [Fact]
    public void B2c_takes_the_first_address_of_emails() =>
        Assert.Equal("cy@b2c.example", Of(AuthType.AadB2c, ("emails", "cy@b2c.example"), ("emails", "other@b2c.example"))!.Email);

    [Fact]
    public void No_address_means_no_identity() =>
        Assert.Null(Of(AuthType.Aad, ("preferred_username", "+81 90 0000 0000"), ("name", "Phone User")));

    [Fact]
    public void A_blank_name_is_no_name() =>
        Assert.Null(Of(AuthType.Aad, ("email", "dee@contoso.example"), ("name", "  "))!.Name);
}
