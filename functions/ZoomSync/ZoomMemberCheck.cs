namespace Zawaroom.ZoomSync;

/// <summary>
/// Z2: asks Zoom whether a member's Zoom e-mail is a user of the site's Zoom account, and keeps why not:
/// <see cref="ZoomMemberSetting.VerifyReason"/> is a stable word the screen shows in the person's language
/// ("no-credentials", "no-such-user", "unreachable", "zoom-error"), <see cref="ZoomMemberSetting.VerifyError"/>
/// the detail. Used when e-mails are saved, by "re-check" and by each sync run for members still unverified.
/// </summary>
public static class ZoomMemberCheck
{
    /// <summary>The checked setting, and whether Zoom could be asked at all (a failed call, for the run's counts).</summary>
    public static async Task<(ZoomMemberSetting Setting, bool CallFailed)> Verify(ZoomClient zoom, ZoomCredentials? credentials,
        ZoomMemberSetting member, CancellationToken ct)
    {
        var unverified = member with { ZoomVerified = false };
        if (member.ZoomEmail is null) return (unverified with { VerifyError = null, VerifyReason = null }, false);
        if (credentials is null)
            return (unverified with { VerifyReason = "no-credentials", VerifyError = "Zoom credentials are not set; the e-mail is not verified yet." }, false);
        try
        {
            var user = await zoom.FindUser(credentials, member.ZoomEmail, ct);
            return user is null
                ? (unverified with { VerifyReason = "no-such-user", VerifyError = "Zoom has no user with this e-mail." }, false)
                : (member with { ZoomVerified = true, VerifyError = null, VerifyReason = null }, false);
        }
        catch (ZoomException e)
        {
            return (unverified with { VerifyReason = "zoom-error", VerifyError = $"Zoom answered {(int)e.Status}: {e.ZoomMessage}" }, true);
        }
        catch (Exception e) when (ZoomUnreachable.Is(e, ct))
        {
            return (unverified with { VerifyReason = "unreachable", VerifyError = "Zoom could not be reached: " + ZoomUnreachable.Reason(e) }, true);
        }
    }
}

/// <summary>A Zoom call that got no answer: refused, reset, timed out (not the caller's own cancellation).</summary>
public static class ZoomUnreachable
{
    public static bool Is(Exception e, CancellationToken ct) =>
        e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
        || (e is TaskCanceledException && !ct.IsCancellationRequested);

    public static string Reason(Exception e) => e switch
    {
        Polly.Timeout.TimeoutRejectedException or TimeoutException or TaskCanceledException => "no answer in time",
        HttpRequestException { InnerException: { } inner } => inner.Message,
        _ => e.Message,
    };
}
