using Zawaroom.Rooms;

namespace Zawaroom.RoomSettings;

/// <summary>Size limits of uploads (configuration "Zawaroom:RoomSettings").</summary>
public sealed class RoomMediaOptions
{
    public long MaxBackgroundBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxBgmBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxZawaBytes { get; set; } = 64 * 1024 * 1024;
    /// <summary>
    /// How old a media write's note must be before a sweep takes its process for dead and removes the blobs it left
    /// (<see cref="RoomSettingsStore.FinishUnfinishedWrites"/>); longer than any upload takes, since on Azure another
    /// instance may still be writing. Sweeps run at start and then every this long (at least a minute).
    /// </summary>
    public TimeSpan UnfinishedWriteGrace { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Finishes the media writes of processes that died mid-write: at start, then every grace period.</summary>
public sealed class UnfinishedMediaWriteSweep(RoomSettingsStore settings, Microsoft.Extensions.Options.IOptions<RoomMediaOptions> options,
    TimeProvider clock, ILogger<UnfinishedMediaWriteSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var grace = options.Value.UnfinishedWriteGrace;
        var every = grace < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : grace;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var finished = await settings.FinishUnfinishedWrites(grace, stoppingToken);
                if (finished > 0) logger.LogInformation("Removed the blobs of {Count} room media writes a stopped process left unfinished", finished);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not finish unfinished room media writes");
            }
            await Task.Delay(every, clock, stoppingToken);
        }
    }
}

public static class RoomSettingsServices
{
    public static IServiceCollection AddRoomSettings(this IServiceCollection services)
    {
        services.AddOptions<RoomMediaOptions>().BindConfiguration("Zawaroom:RoomSettings");
        services.AddSingleton<RoomSettingsStore>();
        services.AddSingleton<IRoomLifecycle>(sp => sp.GetRequiredService<RoomSettingsStore>());
        services.AddSingleton<Live.IRoomLayout, SettingsRoomLayout>();
        services.AddHostedService<UnfinishedMediaWriteSweep>();
        return services;
    }
}
