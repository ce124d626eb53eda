using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Zawaroom.Hosting;

/// <summary>
/// The Azure Functions trigger definitions (one <c>function.json</c> per route) made from the app's
/// own route table, so what the Functions host forwards and what the app serves cannot drift. With
/// <c>enableProxyingHttpRequest</c> the host forwards the request unchanged, so each function only
/// has to claim the route. Site API routes are claimed twice: as "api/…" (site from the Host header)
/// and as "s/{sub}/api/…" (site from the path). The SPA fallback is the Static Web App's, not a function.
/// Regenerate: <c>dotnet run --project functions -- --Zawaroom:WriteFunctionJson=triggers</c>.
/// </summary>
public static class FunctionDefinitions
{
    /// <summary>Where the definitions are kept, relative to the app's folder (functions/).</summary>
    public const string Folder = "triggers";
    public const string ConfigurationKey = "Zawaroom:WriteFunctionJson";
    static readonly string[] AllMethods = ["get", "post", "put", "patch", "delete"];

    /// <summary>An HTTP-triggered function (<paramref name="Schedule"/> null) or a timer-triggered one.</summary>
    public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, string? Schedule = null);

    public static IReadOnlyList<HttpFunction> From(EndpointDataSource endpoints)
    {
        var byRoute = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var timers = new List<HttpFunction>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Order == int.MaxValue) continue; // MapFallback: the SPA, served by the Static Web App
            var route = Route(endpoint.RoutePattern);
            if (endpoint.Metadata.GetMetadata<TimerTriggerMetadata>() is { } timer)
            {
                timers.Add(new HttpFunction(TimerTriggerMetadata.CheckName(route), route, [], timer.Schedule));
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Select(m => m.ToLowerInvariant()).ToList();
            if (!byRoute.TryGetValue(route, out var set)) byRoute[route] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.UnionWith(methods is { Count: > 0 } ? methods : AllMethods);
        }

        var functions = new List<HttpFunction>();
        foreach (var (route, methods) in byRoute)
        {
            functions.Add(new HttpFunction(Name(route), route, [.. methods]));
            if (route == "api" || route.StartsWith("api/", StringComparison.Ordinal))
                functions.Add(new HttpFunction(Name("s/" + route), "s/{sub}/" + route, [.. methods]));
        }
        functions.AddRange(timers.OrderBy(t => t.Name, StringComparer.Ordinal));
        var duplicate = functions.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two routes make the function name '{duplicate.Key}': {string.Join(", ", duplicate.Select(f => f.Route))}");
        return functions;
    }

    /// <summary>The route as the Functions host writes it: no leading slash, parameters as in ASP.NET Core.</summary>
    static string Route(RoutePattern pattern) => (pattern.RawText ?? "").Trim('/');

    /// <summary>"api/rooms/{id}/background" → "api-rooms-id-background"; a function name is letters, digits, '-' and '_'.</summary>
    static string Name(string route)
    {
        var name = new StringBuilder();
        foreach (var c in route)
        {
            if (char.IsAsciiLetterOrDigit(c)) name.Append(char.ToLowerInvariant(c));
            else if (c is '/' or '.' or '-' or '_' && name.Length > 0 && name[^1] != '-') name.Append('-');
        }
        var text = name.ToString().Trim('-');
        return text.Length == 0 ? "root" : text;
    }

    public static string FunctionJson(HttpFunction function)
    {
        if (function.Schedule is not null)
        {
            var timer = new JsonObject
            {
                ["bindings"] = new JsonArray(new JsonObject
                {
                    ["type"] = "timerTrigger",
                    ["direction"] = "in",
                    ["name"] = "timer",
                    ["schedule"] = function.Schedule,
                }),
            };
            return timer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        }
        var json = new JsonObject
        {
            ["bindings"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["direction"] = "in",
                    ["name"] = "req",
                    ["authLevel"] = "anonymous",
                    ["methods"] = new JsonArray([.. function.Methods.Select(m => (JsonNode)m)]),
                    ["route"] = function.Route,
                },
                new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" }),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Replaces every function folder under <paramref name="folder"/> with the current ones.</summary>
    public static void Write(string folder, IReadOnlyList<HttpFunction> functions)
    {
        Directory.CreateDirectory(folder);
        foreach (var old in Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "function.json"))))
            Directory.Delete(old, recursive: true);
        foreach (var function in functions)
        {
            var dir = Path.Combine(folder, function.Name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "function.json"), FunctionJson(function));
        }
    }

    /// <summary>The app command: writes the definitions and tells the caller not to run the app.</summary>
    public static bool WriteFunctionJsonIfAsked(this WebApplication app)
    {
        var folder = app.Configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(folder)) return false;
        var functions = From(new CompositeEndpointDataSource(((IEndpointRouteBuilder)app).DataSources));
        // Relative to the app's folder (functions/), wherever the command was started.
        var path = Path.GetFullPath(folder, app.Environment.ContentRootPath);
        Write(path, functions);
        Console.WriteLine($"Wrote {functions.Count} function.json files to {path}.");
        return true;
    }
}

/// <summary>
/// Marks an endpoint as the body of a timer-triggered function: the Functions host calls a custom
/// handler's non-HTTP function as <c>POST /{FunctionName}</c> with <c>{ Data, Metadata }</c>, so the
/// endpoint is mapped at "/{Name}" and answers <see cref="Invoked"/>. Locally the same work runs from
/// a hosted service; this only shapes the deployment.
/// </summary>
public sealed record TimerTriggerMetadata(string Schedule)
{
    /// <summary>What the host expects back from a non-HTTP invocation.</summary>
    public static IResult Invoked() => Results.Json(new Dictionary<string, object?>
    {
        ["Outputs"] = new Dictionary<string, object?>(),
        ["Logs"] = Array.Empty<string>(),
        ["ReturnValue"] = null,
    });

    internal static string CheckName(string route) =>
        route.Length > 0 && char.IsAsciiLetter(route[0]) && route.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? route
            : throw new InvalidOperationException($"A timer function is mapped at \"/{{Name}}\" (letters, digits, '-', '_'); '/{route}' is not.");
}

public static class TimerTriggerExtensions
{
    /// <summary>
    /// <c>app.MapPost("/ZoomSync", …).AsTimerFunction("0 */5 * * * *")</c>: deployed as a timer
    /// trigger named "ZoomSync" with that NCRONTAB schedule (seconds first).
    /// </summary>
    public static TBuilder AsTimerFunction<TBuilder>(this TBuilder builder, string schedule) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TimerTriggerMetadata(schedule)).ExcludeFromDescription();
}
