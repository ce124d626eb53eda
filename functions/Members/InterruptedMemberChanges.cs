using Zawaroom.Sites;

namespace Zawaroom.Members;

/// <summary>At start, every site's member changes that a stopped process left half done are finished (<see cref="MemberDirectory.FinishInterruptedChanges"/>).</summary>
public sealed class InterruptedMemberChanges(SiteDirectory sites, MemberDirectory members, ILogger<InterruptedMemberChanges> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // The site ids are read to the end first: writing while SQLite's shared cache still has the list open fails as "table is locked".
        var ids = new List<string>();
        await foreach (var site in sites.All(stoppingToken)) ids.Add(site.Value.Id);
        foreach (var id in ids)
        {
            try { await members.FinishInterruptedChanges(id, stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Could not finish the member changes of site {Site}", id); }
        }
    }
}
