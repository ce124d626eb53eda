namespace Zawaroom.Members;

/// <summary>What other features do when members go (the live room removes them from its rooms).</summary>
public interface IMemberLifecycle
{
    /// <summary>Called after the members were deleted from the site.</summary>
    Task Deleted(string siteId, IReadOnlyCollection<string> emails, CancellationToken ct);
}
