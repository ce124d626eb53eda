using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Hosting;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Deployment;

/// <summary>The Functions host's view of the app (host.json, function.json) against the app itself.</summary>
public sealed class FunctionDefinitionsTests(TestApp app) : IClassFixture<TestApp>
{
    const string Regenerate = "dotnet run --project functions -- --Zawaroom:WriteFunctionJson=triggers";

    IReadOnlyList<FunctionDefinitions.HttpFunction> FromRouteTable()
    {
        _ = app.BaseAddress; // the app is started, its endpoints mapped
        return FunctionDefinitions.From(app.Services.GetRequiredService<EndpointDataSource>());
    }

    static Dictionary<string, string> Committed()
    {
        var folder = Repo.File_("functions", FunctionDefinitions.Folder);
        return Directory.GetDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .ToDictionary(d => Path.GetFileName(d), d => File.ReadAllText(Path.Combine(d, "function.json")));
    }

    [Fact]
    public void The_committed_function_json_files_are_the_ones_the_route_table_makes()
    {
        var generated = FromRouteTable().ToDictionary(f => f.Name, FunctionDefinitions.FunctionJson);
        var committed = Committed();

        var missing = generated.Keys.Except(committed.Keys).Order().ToList();
        var extra = committed.Keys.Except(generated.Keys).Order().ToList();
        var changed = generated.Keys.Intersect(committed.Keys).Where(k => generated[k] != committed[k].ReplaceLineEndings("\n")).Order().ToList();
        Assert.True(missing.Count + extra.Count + changed.Count == 0,
            $"functions/triggers drifted from the route table (missing: {string.Join(", ", missing)}; not served: {string.Join(", ", extra)}; " +
            $"changed: {string.Join(", ", changed)}). Regenerate with `{Regenerate}`.");
    }

    [Fact]
    public void Every_site_api_route_is_claimed_with_and_without_the_site_path_prefix()
    {
        var routes = FromRouteTable().Select(f => f.Route).ToHashSet();

        Assert.Contains("api/me", routes);
        Assert.Contains("operator/api/sites", routes);
        Assert.Contains("healthz", routes);
        Assert.DoesNotContain("s/{sub}/operator/api/sites", routes);
        foreach (var route in routes.Where(r => r.StartsWith("api/", StringComparison.Ordinal)))
            Assert.Contains("s/{sub}/" + route, routes);
    }

    [Fact]
    public void Each_function_claims_exactly_the_methods_the_app_serves_on_its_route()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Order != int.MaxValue).ToList();
        foreach (var function in FromRouteTable().Where(f => f.Schedule is null && !f.Route.StartsWith("s/", StringComparison.Ordinal)))
        {
            var served = endpoints.Where(e => (e.RoutePattern.RawText ?? "").Trim('/') == function.Route)
                // An endpoint without method metadata (the SignalR hub) answers every method.
                .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods
                    ?? ["DELETE", "GET", "PATCH", "POST", "PUT"])
                .Select(m => m.ToLowerInvariant()).Distinct().Order().ToList();
            Assert.Equal(served, function.Methods.Order().ToList());
        }
    }

    [Fact]
    public void Host_json_runs_the_published_app_as_a_proxying_custom_handler()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Repo.File_("host.json")));
        var handler = host.RootElement.GetProperty("customHandler");
        var description = handler.GetProperty("description");

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal("dotnet", description.GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("app", description.GetProperty("workingDirectory").GetString());
        Assert.Equal(["Zawaroom.Functions.dll"], description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        // Routes reach the app unchanged: no "api/" added in front of "api/me" or "s/{sub}/api/me".
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }
}
