using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Sites;

namespace Zawaroom.Members;

/// <summary>U4: the site admin's member list, add, bulk delete, grant and revoke site admin.</summary>
public static class MembersApi
{
    public sealed record AddMemberRequest(string? Email, AuthType? AuthType, string? Name);
    public sealed record EmailsRequest(IReadOnlyList<string>? Emails);
    public sealed record MemberView(string Email, string Name, AuthType AuthType, string Role);
    public sealed record MemberPage(IReadOnlyList<MemberView> Items, int Total, int Registered, int MaxUsersCount, int Page, int PageSize);

    public static void MapMembers(this RouteGroupBuilder api)
    {
        var members = api.MapGroup("/admin/members").WithTags("Members");
        members.MapGet("", List).Allow(Access.SiteAdmin);
        members.MapPost("", Add).Allow(Access.SiteAdmin);
        members.MapPost("/delete", async (HttpContext http, EmailsRequest body, MemberDirectory directory, CancellationToken ct) =>
        {
            await directory.Delete(http.RequireSite().SiteId, RequireEmails(body), ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);
        members.MapPost("/grant-site-admin", async (HttpContext http, EmailsRequest body, MemberDirectory directory, CancellationToken ct) =>
        {
            await directory.SetSiteAdmin(http.RequireSite().SiteId, RequireEmails(body), grant: true, ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);
        members.MapPost("/revoke-site-admin", async (HttpContext http, EmailsRequest body, MemberDirectory directory, CancellationToken ct) =>
        {
            await directory.SetSiteAdmin(http.RequireSite().SiteId, RequireEmails(body), grant: false, ct);
            return Results.NoContent();
        }).Allow(Access.SiteAdmin);
    }

    static async Task<MemberPage> List(HttpContext http, MemberDirectory directory, string? search, int? page, int? pageSize, CancellationToken ct)
    {
        var site = http.RequireSite().Site;
        var size = Math.Clamp(pageSize ?? 50, 1, 500);
        var number = Math.Max(page ?? 1, 1);
        var matches = new List<MemberView>();
        await foreach (var m in directory.All(site.Id, ct))
        {
            var v = m.Value;
            if (string.IsNullOrWhiteSpace(search) || v.Email.Contains(search, StringComparison.OrdinalIgnoreCase)
                || v.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
                matches.Add(new MemberView(v.Email, v.Name, v.AuthType, v.Role));
        }
        var registered = (await directory.GetRoster(site.Id, ct)).Emails.Count;
        return new MemberPage(matches.Skip((number - 1) * size).Take(size).ToList(), matches.Count, registered, site.MaxUsersCount, number, size);
    }

    static async Task<IResult> Add(HttpContext http, AddMemberRequest body, MemberDirectory directory, CancellationToken ct)
    {
        if (body.AuthType is not (AuthType.Aad or AuthType.AadB2c))
            throw Problems.Validation("authType is 'aad' or 'aad-b2c'.");
        if (body.Name is { Length: > 100 }) throw Problems.Validation("name has at most 100 characters.");
        var member = await directory.Add(http.RequireSite().Site, body.Email ?? "", body.Name, body.AuthType.Value, Roles.User, ct);
        return Results.Created($"{http.Request.PathBase}/api/admin/members?search={Uri.EscapeDataString(member.Email)}",
            new MemberView(member.Email, member.Name, member.AuthType, member.Role));
    }

    static IReadOnlyList<string> RequireEmails(EmailsRequest body) =>
        body.Emails is { Count: > 0 } emails ? emails : throw Problems.Validation("emails must list at least one e-mail.");
}
