using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Zawaroom.ZoomSync.AzureQueue;

/// <summary>
/// "Sync now" on Azure: a message {"siteId"} on the SyncWorker's queue (Zawaroom:Zoom:SyncNowQueue, its URL), sent with
/// the app's managed identity (main.bicep grants it Storage Queue Data Message Sender on that account). The worker's
/// queue trigger starts the site's orchestration under the site's instance id, so two messages at once are one run.
/// </summary>
public sealed class QueueZoomSyncNow(IOptions<ZoomOptions> options, Azure.Core.TokenCredential credential) : IZoomSyncNow
{
    public sealed record Message(string SiteId);

    QueueClient? _queue;

    public async Task<SiteRunResult> Run(string siteId, CancellationToken ct)
    {
        _queue ??= new QueueClient(new Uri(options.Value.SyncNowQueue ?? throw new InvalidOperationException(
            "Zawaroom:Zoom:Driver is Queue but Zawaroom:Zoom:SyncNowQueue (the queue's URL) is not set.")), credential,
            // The Functions queue trigger reads Base64 messages by default.
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await _queue.SendMessageAsync(JsonSerializer.Serialize(new Message(siteId), JsonSerializerOptions.Web), ct);
        return new SiteRunResult("queued");
    }
}
