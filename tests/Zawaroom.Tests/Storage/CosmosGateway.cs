using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Zawaroom.Tests.Storage;

/// <summary>
/// The Cosmos DB stand-in for an app in its own OS process (<see cref="Resilience.AppProcess"/>), which
/// cannot be handed <see cref="CosmosStandIn.HttpClient"/>: an HTTPS gateway on loopback (YARP's
/// forwarder) that sends every request through the same gap-filling handler, and names itself as the
/// account's endpoint in the account read, so the SDK keeps talking to it. The app needs only a
/// connection string, with <c>DisableServerCertificateValidation=True</c> as for the Cosmos DB emulator.
/// </summary>
public sealed class CosmosGateway : IAsyncDisposable
{
    readonly WebApplication _app;
    public string Endpoint { get; }
    public string ConnectionString => $"AccountEndpoint={Endpoint};AccountKey={CosmosStandIn.Key};DisableServerCertificateValidation=True;";

    CosmosGateway(WebApplication app, string endpoint) => (_app, Endpoint) = (app, endpoint);

    public static async Task<CosmosGateway> Start(CosmosStandIn standIn)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        var certificate = SelfSigned();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var gateway = "";
        var invoker = new HttpMessageInvoker(new NamesItself(standIn.Endpoint, () => gateway) { InnerHandler = CosmosStandIn.Handler() });
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
        app.Map("/{**rest}", async (HttpContext http, IHttpForwarder forwarder) =>
        {
            var error = await forwarder.SendAsync(http, standIn.Endpoint, invoker, config);
            if (error != ForwarderError.None && !http.Response.HasStarted) http.Response.StatusCode = 502;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        gateway = $"https://127.0.0.1:{address.Port}/";
        return new CosmosGateway(app, gateway);
    }

    /// <summary>The account read names the stand-in's own address as the region endpoint; the gateway names itself.</summary>
    sealed class NamesItself(string standIn, Func<string> gateway) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.Method != HttpMethod.Get || request.RequestUri!.AbsolutePath != "/" || !response.IsSuccessStatusCode) return response;
            var text = (await response.Content.ReadAsStringAsync(ct)).Replace(standIn, gateway(), StringComparison.Ordinal);
            var replaced = new HttpResponseMessage(response.StatusCode) { Content = new StringContent(text, Encoding.UTF8, "application/json"), RequestMessage = request };
            foreach (var header in response.Headers) replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Dispose();
            return replaced;
        }
    }

    static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
