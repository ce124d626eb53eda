using System.Text.RegularExpressions;
using Zawaroom.Blobs.Azure;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Blobs;

/// <summary>Azurite's blob service on 127.0.0.1, in memory, for one test fixture.</summary>
public sealed class AzuriteStandIn : IAsyncLifetime
{
    /// <summary>Azurite's published development account and key.</summary>
    const string Account = "devstoreaccount1";
    const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    NodeStandIn? _node;
    readonly string _workspace = Path.Combine(Path.GetTempPath(), "zawaroom-tests", "azurite-" + Guid.NewGuid().ToString("N"));
    public int Port { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint=http://127.0.0.1:{Port}/{Account};";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_workspace);
        Port = NodeStandIn.FreePort();
        (_node, _) = await NodeStandIn.Start("azurite/dist/src/blob/main.js",
            ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
             "--disableTelemetry", "--silent", "--extentMemoryLimit", "256"],
            new Regex("successfully listen"), _workspace);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        try { Directory.Delete(_workspace, recursive: true); } catch (IOException) { }
    }

    public AzureBlobOptions Options(string? container = null) => new()
    {
        ConnectionString = ConnectionString,
        Container = container ?? "c" + Guid.NewGuid().ToString("N")[..12],
    };
}
