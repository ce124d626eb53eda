using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Zawaroom.Hosting;

// The SyncWorker Function App: the Functions host starts this process and hands it the triggers of SyncFunctions.
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureAppConfiguration(config => config
        // The API app's defaults (Zoom URLs, SyncInterval), then this app's: no in-process sync host or timers here.
        .AddJsonFile("appsettings.json", optional: true)
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zawaroom:Zoom:Timer"] = "false",
            ["Zawaroom:Logs:RetentionTimer"] = "false",
        })
        .AddEnvironmentVariables())
    .ConfigureServices((context, services) => services.AddZawaroomSyncWorker(context.Configuration))
    .Build();

host.Run();
