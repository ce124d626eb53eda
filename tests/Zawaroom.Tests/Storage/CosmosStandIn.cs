using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Storage;

/// <summary>
/// <c>@vercel/cosmosdb-server</c> on 127.0.0.1 (HTTPS, self-signed), and the HttpClient the Cosmos SDK
/// talks to it through. The stand-in has no query-plan endpoint, so the handler answers the SDK's
/// query-plan request with a one-range pass-through plan (what the service says for a query inside
/// one partition); it answers a point read of a missing item with 500, which the handler turns into
/// the service's 404. Not emulated, so not tested here: TTL, change feed, hierarchical keys.
/// </summary>
public sealed class CosmosStandIn : IAsyncLifetime
{
    /// <summary>The emulator's published development key; the stand-in accepts any key.</summary>
    internal const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    NodeStandIn? _node;
    public string Endpoint { get; private set; } = "";
    public string ConnectionString => $"AccountEndpoint={Endpoint};AccountKey={Key};";

    public async Task InitializeAsync()
    {
        var (node, ready) = await NodeStandIn.Start("@vercel/cosmosdb-server/lib/cli.js", ["--host", "127.0.0.1", "-p", "0"],
            new Regex(@"Ready to accept HTTPS connections at 127\.0\.0\.1:(\d+)"));
        _node = node;
        Endpoint = $"https://127.0.0.1:{ready.Groups[1].Value}/";
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }

    public CosmosStoreOptions Options(string? database = null) => new()
    {
        ConnectionString = ConnectionString,
        Database = database ?? "db" + Guid.NewGuid().ToString("N")[..8],
        Container = "documents",
        HttpClientFactory = HttpClient,
    };

    public static HttpClient HttpClient() => new(Handler());

    /// <summary>What <see cref="HttpClient"/> sends through: the stand-in's certificate accepted, its gaps filled.</summary>
    public static HttpMessageHandler Handler() => new StandInGaps
    {
        InnerHandler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator },
    };

    sealed class StandInGaps : DelegatingHandler
    {
        const string PassThroughPlan = """
            {"partitionedQueryExecutionInfoVersion":2,
             "queryInfo":{"distinctType":"None","top":null,"offset":null,"limit":null,"orderBy":[],"orderByExpressions":[],
                          "groupByExpressions":[],"groupByAliases":[],"aggregates":[],"groupByAliasToAggregateType":{},
                          "rewrittenQuery":"","hasSelectValue":false,"dCountInfo":null,"hasNonStreamingOrderBy":false},
             "queryRanges":[{"min":"","max":"FF","isMinInclusive":true,"isMaxInclusive":false}]}
            """;

        static readonly Regex PointRead = new("^/dbs/[^/]+/colls/[^/]+/docs/[^/]+$");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.Headers.TryGetValues("x-ms-cosmos-is-query-plan-request", out var plan) && plan.Any(v => v.Equals("True", StringComparison.OrdinalIgnoreCase)))
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(PassThroughPlan, Encoding.UTF8, "application/json"), RequestMessage = request };

            var response = await base.SendAsync(request, ct);
            if (request.Method == HttpMethod.Get && response.StatusCode == HttpStatusCode.InternalServerError
                && PointRead.IsMatch(request.RequestUri!.AbsolutePath))
            {
                var notFound = new HttpResponseMessage(HttpStatusCode.NotFound)
                {
                    Content = new StringContent("""{"code":"NotFound","message":"Entity with the specified id does not exist in the system."}""", Encoding.UTF8, "application/json"),
                    RequestMessage = request,
                };
                foreach (var header in response.Headers) notFound.Headers.TryAddWithoutValidation(header.Key, header.Value);
                response.Dispose();
                return notFound;
            }
            return response;
        }
    }
}
