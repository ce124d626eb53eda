using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Blobs;
using Zawaroom.Logs.Export;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Logs;

/// <summary>The app on a fake clock, with the retention sweep's own schedule off (the test runs the sweep).</summary>
public sealed class RetentionApp : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
    public TestApp App { get; } = new();

    public Task InitializeAsync()
    {
        App.Clock = Clock;
        App.With("Zawaroom:Logs:RetentionTimer", "false").With("Zawaroom:Logs:ExportRetention", "30.00:00:00");
        return App.InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
}

public sealed class LogExportRetentionTests(RetentionApp world) : IClassFixture<RetentionApp>
{
    [Fact]
    public async Task A_finished_export_and_its_csv_are_deleted_once_older_than_the_retention_and_a_newer_one_stays()
    {
        var site = await world.App.CreateSite("ret_site");
        var admin = await site.Admin();
        var range = new { from = "2026-11-01T00:00:00Z", to = "2026-11-30T00:00:00Z" };
        var old = (await LogExportApiTests.Finished(admin, site, "admin/logs/exports", range)).GetProperty("id").GetString()!;
        world.Clock.Advance(TimeSpan.FromDays(20));
        admin = await site.Admin(); // a fresh login: the clock moved by days
        var newer = (await LogExportApiTests.Finished(admin, site, "admin/logs/exports", range)).GetProperty("id").GetString()!;
        var retention = world.App.Services.GetRequiredService<LogExportRetention>();
        var blobs = world.App.Services.GetRequiredService<IBlobStore>();
        var siteId = (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("me")))).GetProperty("siteId").GetString()!;

        world.Clock.Advance(TimeSpan.FromDays(9)); // the first is 29 days old: kept
        Assert.Equal(0, await retention.Sweep(default));
        admin = await site.Admin();
        await Http.Ensure(await admin.GetAsync(site.Api($"logs/exports/{old}")));

        world.Clock.Advance(TimeSpan.FromDays(2)); // 31 and 11 days old
        Assert.Equal(1, await retention.Sweep(default));

        admin = await site.Admin();
        await Http.AssertProblem(await admin.GetAsync(site.Api($"logs/exports/{old}")), 404, "not-found");
        Assert.Null(await blobs.Open(LogExports.BlobName(siteId, old), default));
        var kept = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"logs/exports/{newer}")));
        Assert.Equal("done", kept.GetProperty("state").GetString());
        var blob = await blobs.Open(LogExports.BlobName(siteId, newer), default);
        Assert.NotNull(blob);
        await blob.Value.Content.DisposeAsync();
    }
}
