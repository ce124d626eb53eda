using System.Diagnostics;
using System.Text.Json;

namespace Zawaroom.Tests.Deployment;

/// <summary>
/// `dotnet publish` of functions/SyncWorker: what the Functions host of the worker app reads. No Functions host runs
/// here (ARCHITECTURE.md "Functions hosts"), so the publish output is the proof of what Azure would index.
/// </summary>
public sealed class SyncWorkerPublishTests
{
    static readonly Lazy<string> Published = new(() =>
    {
        var output = Path.Combine(Path.GetTempPath(), "zawaroom-syncworker-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Debug, as the solution's test build: the API app's project is then up to date and not built again.
        foreach (var arg in new[] { "publish", Repo.File_("functions", "SyncWorker", "Zawaroom.SyncWorker.csproj"), "-c", "Debug", "-o", output,
            "-p:SkipStaticWeb=true", "--nologo" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "dotnet publish of the SyncWorker failed:\n" + stdout.Result + stderr.Result);
        return output;
    });

    [Fact]
    public void The_published_worker_lists_the_timers_the_orchestrations_the_activities_and_the_sync_now_queue()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(Published.Value, "functions.metadata")));
        var triggers = metadata.RootElement.EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("type").GetString()!.EndsWith("Trigger")));

        Assert.Equal("timerTrigger", triggers["ZoomSyncTimer"].GetProperty("type").GetString());
        Assert.Equal("orchestrationTrigger", triggers["ZoomSyncRounds"].GetProperty("type").GetString());
        Assert.Equal("orchestrationTrigger", triggers["ZoomSiteSync"].GetProperty("type").GetString());
        Assert.Equal("activityTrigger", triggers["ZoomSyncEnabledSites"].GetProperty("type").GetString());
        Assert.Equal("activityTrigger", triggers["ZoomSiteRun"].GetProperty("type").GetString());
        Assert.Equal("queueTrigger", triggers["ZoomSyncNow"].GetProperty("type").GetString());
        Assert.Equal("zoom-sync-now", triggers["ZoomSyncNow"].GetProperty("queueName").GetString());
        Assert.Equal("timerTrigger", triggers["LogExportRetention"].GetProperty("type").GetString());

        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Published.Value, "host.json")));
        Assert.Equal("ZawaroomZoomSync", host.RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("hubName").GetString());
        Assert.True(File.Exists(Path.Combine(Published.Value, "extensions.json")));
        Assert.True(File.Exists(Path.Combine(Published.Value, "Zawaroom.SyncWorker.dll")));
        Assert.True(File.Exists(Path.Combine(Published.Value, "Zawaroom.Functions.dll")));
    }
}
