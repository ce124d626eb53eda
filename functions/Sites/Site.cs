using System.Text.RegularExpressions;

namespace Zawaroom.Sites;

public enum AuthType { Aad, AadB2c, Local }

public enum UserRegisterType { FullAuto, SemiAuto, Manual }

/// <summary>A login button on the site's login page (S4). Order in the site's list is the display order.</summary>
public sealed record LoginProvider(string Id, string Name, bool Enable, AuthType AuthType);

/// <summary>A customer's user site (S1-S4). Stored in the platform partition; its id is the partition of all its data.</summary>
public sealed record Site
{
    public required string Id { get; init; }
    public required string Subdomain { get; init; }
    public int MaxUsersCount { get; init; }
    public string? DefaultMediaServerUrl { get; init; }
    public IReadOnlyList<LoginProvider> AuthLoginProviders { get; init; } = [];
    public IReadOnlyList<string> AllowDomainNames { get; init; } = [];
    public UserRegisterType UserRegisterType { get; init; } = UserRegisterType.Manual;
    public IReadOnlyList<string> AutoRegisterDomainNames { get; init; } = [];
    public bool ShowSiteLink { get; init; }
    public string? SiteLinkName { get; init; }
    public string? SiteLinkUrl { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public static IReadOnlyList<LoginProvider> DefaultLoginProviders() =>
    [
        new("aad", "Microsoft アカウントでログイン", true, AuthType.Aad),
        new("aad-b2c", "zawaroom アカウントでログイン", true, AuthType.AadB2c),
    ];
}

/// <summary>S1: 3–12 characters of a-z 0-9 - _ (half-width only).</summary>
public static partial class SubdomainRules
{
    [GeneratedRegex("^[a-z0-9_-]{3,12}$")]
    private static partial Regex Pattern();

    /// <summary>Null when valid, else why not, in words an operator can act on.</summary>
    public static string? Check(string? subdomain) => subdomain switch
    {
        null or "" => "A subdomain is required.",
        { Length: < 3 } => "A subdomain has at least 3 characters.",
        { Length: > 12 } => "A subdomain has at most 12 characters.",
        _ when !Pattern().IsMatch(subdomain) => "A subdomain uses only a-z, 0-9, '-' and '_' (half-width).",
        _ => null,
    };
}
