using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Zawaroom.Blobs;
using Zawaroom.Blobs.Azure;
using Zawaroom.Blobs.Folder;
using Zawaroom.Common;
using Zawaroom.DataProtection;
using Zawaroom.Demo;
using Zawaroom.Identity;
using Zawaroom.Identity.Entra;
using Zawaroom.Live;
using Zawaroom.Media;
using Zawaroom.Media.Janus;
using Zawaroom.Realtime.AzureSignalR;
using Zawaroom.Realtime.InProcess;
using Zawaroom.Logs;
using Zawaroom.Logs.Cosmos;
using Zawaroom.Logs.Sqlite;
using Zawaroom.Logs.Export;
using Zawaroom.Members;
using Zawaroom.Presence;
using Zawaroom.Presence.Cosmos;
using Zawaroom.Presence.Memory;
using Zawaroom.Rooms;
using Zawaroom.RoomSettings;
using Zawaroom.Schedules;
using Zawaroom.Sites;
using Zawaroom.Storage;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Storage.Sqlite;
using Zawaroom.ZoomSync;
using Zawaroom.ZoomSync.AzureQueue;
using Zawaroom.ZoomSync.InProcess;

namespace Zawaroom.Hosting;

/// <summary>What every run of the app shares: port, JSON, errors, OpenAPI, stores, identity, features.</summary>
public static class ZawaroomHost
{
    public static WebApplicationBuilder AddZawaroomHost(this WebApplicationBuilder builder)
    {
        // The Functions host tells a custom handler its port; locally 7071, as `func start` would.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            var port = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] ?? "7071";
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}", $"http://[::1]:{port}");
        }
        builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddZawaroomProblems();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Zawaroom API";
            doc.Info.Version = "1";
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<SiteRoutingOptions>(builder.Configuration.GetSection("Zawaroom:Sites"));
        builder.Services.AddZawaroomStores(builder.Configuration);
        builder.Services.AddZawaroomIdentity(builder.Configuration, builder.Environment);
        builder.Services.AddZawaroomFeatures();
        builder.Services.AddZawaroomTelemetry(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// The app's meters through OpenTelemetry (the live room's move latency and batch size, ASP.NET Core's
    /// own). <c>Zawaroom:Telemetry:PrometheusPort</c> serves them for scraping on 127.0.0.1 (the presence
    /// benchmark reads them there); unset, they are only there for a listener such as dotnet-counters.
    /// </summary>
    static IServiceCollection AddZawaroomTelemetry(this IServiceCollection services, IConfiguration _)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(LiveMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http.Connections")
                .AddView(LiveMetrics.MoveLatency, new OpenTelemetry.Metrics.ExplicitBucketHistogramConfiguration { Boundaries = LiveMetrics.LatencyBuckets })
                .AddView(LiveMetrics.BatchSize, new OpenTelemetry.Metrics.ExplicitBucketHistogramConfiguration { Boundaries = LiveMetrics.SizeBuckets });
            // Decided when the meter provider is built, not here: configuration a test host or the Functions host
            // adds after Program's registrations (as for the stores) must count, else the listener silently never starts.
            ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
            {
                if (PrometheusPort(sp.GetRequiredService<IConfiguration>()) is not null) builder.AddPrometheusHttpListener();
            });
        });
        services.AddOptions<OpenTelemetry.Exporter.PrometheusHttpListenerOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            o.Host = "127.0.0.1";
            o.Port = PrometheusPort(configuration) ?? o.Port;
            o.ScrapeResponseCacheDurationMilliseconds = 0;
        });
        return services;
    }

    public const string PrometheusPortKey = "Zawaroom:Telemetry:PrometheusPort";
    static int? PrometheusPort(IConfiguration configuration) => configuration.GetValue<int?>(PrometheusPortKey);

    /// <summary>
    /// The SyncWorker Function App's services: the stores (chosen as here) and what the Zoom sync and the log-export
    /// retention use; no HTTP pipeline, no live room.
    /// </summary>
    public static IServiceCollection AddZawaroomSyncWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddZawaroomStores(configuration);
        services.AddSingleton<SiteDirectory>();
        services.AddSingleton<MemberDirectory>();
        services.AddSchedules();
        services.AddZoomSync();
        services.AddLogExportRetention();
        return services;
    }

    public static string DataDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Zawaroom:DataDirectory"] ?? "./.zawaroom-data");

    /// <summary>
    /// The composition root: the one place adapters are chosen (ARCHITECTURE.md "Rules"), from
    /// <c>Zawaroom:Stores</c>, <c>Zawaroom:SignalR:ConnectionString</c>, <c>Zawaroom:DataProtection</c> and
    /// <c>Zawaroom:Zoom:Driver</c>; a feature names no adapter (CompositionRootTests). Each adapter family registers
    /// its own parts; every port is bound here exactly once, never by a TryAdd that wins by registration
    /// order. Read when first resolved, so that configuration added by a test host or the Functions host is seen.
    /// </summary>
    static IServiceCollection AddZawaroomStores(this IServiceCollection services, IConfiguration _)
    {
        services.AddOptions<CosmosStoreOptions>().BindConfiguration(CosmosStoreOptions.Section);
        services.AddOptions<AzureBlobOptions>().BindConfiguration(AzureBlobOptions.Section);
        services.AddOptions<PresenceOptions>().BindConfiguration("Zawaroom:Live");
        services.AddSingleton<IDocumentStore>(sp => Stores(sp) switch
        {
            "Embedded" => new SqliteDocumentStore(Path.Combine(DataDirectory(sp), "zawaroom.db")),
            "Azure" => new CosmosDocumentStore(sp.GetRequiredService<IOptions<CosmosStoreOptions>>().Value),
            var other => throw UnknownStores(other),
        });
        services.AddSingleton<IBlobStore>(sp => Stores(sp) switch
        {
            "Embedded" => new FolderBlobStore(Path.Combine(DataDirectory(sp), "blobs")),
            "Azure" => new AzureBlobStore(sp.GetRequiredService<IOptions<AzureBlobOptions>>().Value),
            var other => throw UnknownStores(other),
        });
        services.AddMemoryPresence();
        // Azure: presence and the usage log in their own Cosmos DB containers, over one client of the account.
        services.AddSingleton(sp => CosmosDocumentStore.CreateClient(sp.GetRequiredService<IOptions<CosmosStoreOptions>>().Value));
        services.AddSingleton(sp => new CosmosPresenceStore(
            CosmosPresenceStore.ContainerOf(sp.GetRequiredService<Microsoft.Azure.Cosmos.CosmosClient>(), sp.GetRequiredService<IOptions<CosmosStoreOptions>>().Value),
            sp.GetRequiredService<IOptions<PresenceOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CosmosPresenceStore>>()));
        services.AddSingleton<IPresenceStore>(sp => Stores(sp) switch
        {
            "Embedded" => sp.GetRequiredService<InMemoryPresenceStore>(),
            "Azure" => sp.GetRequiredService<CosmosPresenceStore>(),
            var other => throw UnknownStores(other),
        });
        services.AddSingleton<IPresenceReader>(sp => sp.GetRequiredService<IPresenceStore>());
        services.AddSingleton<IEventLog>(sp => Stores(sp) switch
        {
            "Embedded" => new SqliteEventLog(Path.Combine(DataDirectory(sp), "events.db")),
            "Azure" => new CosmosEventLog(CosmosEventLog.ContainerOf(
                sp.GetRequiredService<Microsoft.Azure.Cosmos.CosmosClient>(), sp.GetRequiredService<IOptions<CosmosStoreOptions>>().Value)),
            var other => throw UnknownStores(other),
        });
        services.AddSingleton<IRoomSequence>(sp => Stores(sp) == "Azure"
            ? new DocumentRoomSequence(sp.GetRequiredService<IDocumentStore>()) : new InMemoryRoomSequence());

        // Realtime: Azure SignalR Service (serverless) with the Azure stores and a connection string, else the in-process hub.
        services.AddInProcessRealtime();
        services.AddAzureSignalR();
        services.AddSingleton(sp => new AzureSignalRSelection(Stores(sp) == "Azure"
            && !string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<AzureSignalROptions>>().Value.ConnectionString)));
        services.AddSingleton<IRoomBroadcaster>(sp => OnService(sp)
            ? sp.GetRequiredService<AzureSignalRBroadcaster>() : sp.GetRequiredService<HubBroadcaster>());
        services.AddSingleton<ILiveNegotiation>(sp => OnService(sp)
            ? sp.GetRequiredService<AzureSignalRNegotiation>() : sp.GetRequiredService<InProcessNegotiation>());
        // Many instances: which zone rectangles a room's connections watch comes from presence, not from this instance's memory.
        services.AddSingleton<ISharedViews>(sp => OnService(sp) ? sp.GetRequiredService<PresenceViews>() : NoSharedViews.Instance);
        services.AddSingleton<IHeldConnections>(sp => OnService(sp) ? new NoHeldConnections() : sp.GetRequiredService<LocalConnections>());

        // Azure credentials (Key Vault, the sync-now queue): the managed identity, or what DefaultAzureCredential finds locally.
        services.AddSingleton<Azure.Core.TokenCredential>(_ => new Azure.Identity.DefaultAzureCredential());
        // The Data Protection key ring (it encrypts the Zoom secrets): with the Azure stores in the blob store, so every
        // instance and restart reads the same keys; embedded in the data directory; Zawaroom:DataProtection overrides.
        services.AddDataProtectionKeyRing();
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
            DataProtectionServices.KeyRing(o, sp, Stores(sp) == "Azure" ? "Blobs" : "Folder", Path.Combine(DataDirectory(sp), "keys")));

        // The Zoom sync's "sync now" (Zawaroom:Zoom:Driver): the one-process Durable host, or the queue the SyncWorker reads.
        services.AddSingleton<InProcessZoomSync>();
        services.AddHostedService(sp => sp.GetRequiredService<InProcessZoomSync>());
        services.AddSingleton<QueueZoomSyncNow>();
        services.AddSingleton<IZoomSyncNow>(sp => sp.GetRequiredService<IOptions<ZoomOptions>>().Value.Driver switch
        {
            ZoomOptions.InProcessDriver => sp.GetRequiredService<InProcessZoomSync>(),
            ZoomOptions.QueueDriver => sp.GetRequiredService<QueueZoomSyncNow>(),
            var other => throw new InvalidOperationException($"Zawaroom:Zoom:Driver is '{other}'; known values: InProcess, Queue."),
        });

        // The SFU of the media module: Janus over its HTTP API.
        services.AddHttpClient<ISfu, JanusSfu>(c => c.Timeout = TimeSpan.FromSeconds(5));
        return services;
    }

    static bool OnService(IServiceProvider sp) => sp.GetRequiredService<AzureSignalRSelection>().Enabled;

    static string Stores(IServiceProvider sp) => sp.GetRequiredService<IConfiguration>()["Zawaroom:Stores"] ?? "Embedded";
    static string DataDirectory(IServiceProvider sp) => DataDirectory(sp.GetRequiredService<IConfiguration>());
    static InvalidOperationException UnknownStores(string value) => new($"Zawaroom:Stores is '{value}'; known values: Embedded, Azure.");

    static IServiceCollection AddZawaroomIdentity(this IServiceCollection services, IConfiguration _, IWebHostEnvironment __)
    {
        services.AddOptions<AuthOptions>().Configure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
            o.LocalLogin = configuration.GetValue("Zawaroom:Auth:LocalLogin", environment.IsDevelopment()));
        services.AddSingleton(sp => new LocalTokens(Path.Combine(DataDirectory(sp), "local-login.key"), sp.GetRequiredService<TimeProvider>()));
        services.AddEntraTokens();
        services.AddSingleton<CallerResolver>();
        return services;
    }

    /// <summary>U6: the app refuses to start in Production with the local login on.</summary>
    static void RefuseLocalLoginInProduction(WebApplication app)
    {
        if (app.Environment.IsProduction() && app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.LocalLogin)
            throw new InvalidOperationException(
                "Zawaroom:Auth:LocalLogin is on in Production. Local login is for running on one machine only; turn it off.");
    }

    static IServiceCollection AddZawaroomFeatures(this IServiceCollection services)
    {
        services.AddSingleton<SiteDirectory>();
        services.AddSingleton<MemberDirectory>();
        services.AddHostedService<InterruptedMemberChanges>();
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<IRoomAdminCheck>(sp => sp.GetRequiredService<RoomDirectory>());
        services.AddSingleton<DemoSeeder>();
        services.AddRoomSettings();
        services.AddLiveRoom();
        services.AddMedia();
        services.AddSchedules();
        services.AddZoomSync();
        services.AddLogExport();
        return services;
    }

    public static WebApplication UseZawaroom(this WebApplication app)
    {
        RefuseLocalLoginInProduction(app);
        app.UseSecurityHeaders();
        app.UseZawaroomProblems();
        app.UseSiteResolution();
        app.UseRouting();
        app.UseBodyLimits();
        app.UseRouteValueCheck();
        app.UseOperatorAccess();
        app.UseSiteAccess();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }

    /// <summary>The group every site API endpoint hangs on: "/api", site-scoped, access-checked.</summary>
    public static RouteGroupBuilder MapSiteApi(this WebApplication app) =>
        app.MapGroup("/api").RequireSiteAccess();

    public static void MapHealthAndSpa(this WebApplication app)
    {
        app.MapOpenApi("/openapi.json");
        app.MapGet("/healthz", async (IDocumentStore store, IBlobStore blobs, CancellationToken ct) =>
        {
            await store.Count(Partitions.Platform, SiteDirectory.SiteKind, ct);
            await foreach (var _ in blobs.List("_health/", ct)) break;
            return Results.Ok(new { status = "ok" });
        }).ExcludeFromDescription();
        // The SPA answers every other browser path; unknown API paths stay problem+json 404s.
        app.MapFallback(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            var index = Path.Combine(app.Environment.WebRootPath ?? "", "index.html");
            if (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/operator", StringComparison.Ordinal) || !File.Exists(index))
            {
                await ProblemHandling.Write(context, Problems.NotFound("There is no such route."));
                return;
            }
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.SendFileAsync(index, context.RequestAborted);
        });
    }

    public static async Task SeedDemoIfAsked(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Zawaroom:SeedDemo", app.Environment.IsDevelopment())) return;
        await app.Services.GetRequiredService<DemoSeeder>().Seed(CancellationToken.None);
        if (string.IsNullOrEmpty(app.Configuration["Zawaroom:OperatorKey"]))
            app.Logger.LogInformation("The operator API is off: set Zawaroom:OperatorKey to use it.");
    }
}
