using Zawaroom.Sites;

namespace Zawaroom.Members;

/// <summary>At start, every site's member changes that a stopped process left half done are finished (<see cref="MemberDirectory.FinishInterruptedChanges"/>).</summary>
public sealed class InterruptedMemberChanges(SiteDirectory sites, MemberDirectory members, ILogger<InterruptedMemberChanges> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await foreach (var site in sites.All(stoppingToken))
        {
            try { await members.FinishInterruptedChanges(site.Value.Id, stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Could not finish the member changes of site {Site}", site.Value.Id); }
        }
    }
}
