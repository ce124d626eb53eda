using Microsoft.AspNetCore.DataProtection;
using Zawaroom.Schedules;
using Zawaroom.Storage;

namespace Zawaroom.ZoomSync;

/// <summary>Z1, as stored: the secrets only in their Data Protection form.</summary>
public sealed record ZoomSettings
{
    public bool Enabled { get; init; }
    public string AccountId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string? ProtectedClientSecret { get; init; }
    public string? ProtectedWebhookSecretToken { get; init; }
    public string LocationName { get; init; } = LocationMatch.DefaultName;
    public string TimeZone { get; init; } = "Asia/Tokyo";
    public OnEntryRemoved OnEntryRemoved { get; init; } = OnEntryRemoved.Delete;
    public bool InviteAttendees { get; init; } = true;
}

/// <summary>Z2: one member's Zoom sync switch and Zoom e-mail, with the result of asking Zoom about it.</summary>
public sealed record ZoomMemberSetting(string Email, bool ZoomEnabled, string? ZoomEmail, bool ZoomVerified, string? VerifyError = null, string? VerifyReason = null);

/// <summary>Site Zoom settings and member Zoom e-mails; secrets are encrypted with ASP.NET Core Data Protection.</summary>
public sealed class ZoomSettingsStore(IDocumentStore store, IDataProtectionProvider protection)
{
    public const string SettingsKind = "zoomsettings";
    public const string MemberKind = "zoommember";
    const string SettingsId = "settings";
    readonly IDataProtector _protector = protection.CreateProtector("Zawaroom.ZoomSync.Secrets.v1");

    public async Task<Stored<ZoomSettings>?> GetStored(string siteId, CancellationToken ct) => await store.Get<ZoomSettings>(siteId, SettingsKind, SettingsId, ct);

    public async Task<ZoomSettings> Get(string siteId, CancellationToken ct) => (await GetStored(siteId, ct))?.Value ?? new ZoomSettings();

    public Task Save(string siteId, ZoomSettings settings, string? ifMatch, CancellationToken ct) =>
        store.Replace(siteId, SettingsKind, SettingsId, settings, ifMatch, ct);

    public string Protect(string secret) => _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => protectedSecret is null ? null : _protector.Unprotect(protectedSecret);

    /// <summary>The app credentials, or null when the site has not given all of them.</summary>
    public ZoomCredentials? Credentials(string siteId, ZoomSettings settings) =>
        string.IsNullOrEmpty(settings.AccountId) || string.IsNullOrEmpty(settings.ClientId) || settings.ProtectedClientSecret is null
            ? null
            : new ZoomCredentials(siteId, settings.AccountId, settings.ClientId, Unprotect(settings.ProtectedClientSecret)!);

    public Task<List<ZoomMemberSetting>> Members(string siteId, CancellationToken ct) => store.ListValues<ZoomMemberSetting>(siteId, MemberKind, ct);

    public Task SaveMember(string siteId, ZoomMemberSetting setting, CancellationToken ct) =>
        store.Replace(siteId, MemberKind, setting.Email, setting, null, ct);

    public static TimeZoneInfo Zone(ZoomSettings settings) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var zone) ? zone : TokyoTimeZone.Tokyo;
}

/// <summary>The schedule timezone of a site is the one its Zoom settings name (Z1).</summary>
public sealed class ZoomSiteTimeZone(ZoomSettingsStore settings) : ISiteTimeZone
{
    public async Task<TimeZoneInfo> Of(string siteId, CancellationToken ct) => ZoomSettingsStore.Zone(await settings.Get(siteId, ct));
}
