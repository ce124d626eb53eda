using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Hosting;

namespace Zawaroom.Tests.Deployment;

public sealed class TimerFunctionTests
{
    static IReadOnlyList<FunctionDefinitions.HttpFunction> FunctionsOf(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        map(app);
        return FunctionDefinitions.From(new CompositeEndpointDataSource(((IEndpointRouteBuilder)app).DataSources));
    }

    [Fact]
    public void A_timer_endpoint_becomes_a_timer_trigger_named_by_its_path()
    {
        var functions = FunctionsOf(app =>
        {
            app.MapPost("/ZoomSync", () => TimerTriggerMetadata.Invoked()).AsTimerFunction("0 */5 * * * *");
            app.MapGet("/api/me", () => "me");
        });

        var timer = Assert.Single(functions, f => f.Schedule is not null);
        Assert.Equal("ZoomSync", timer.Name);
        using var json = JsonDocument.Parse(FunctionDefinitions.FunctionJson(timer));
        var binding = Assert.Single(json.RootElement.GetProperty("bindings").EnumerateArray());
        Assert.Equal("timerTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("0 */5 * * * *", binding.GetProperty("schedule").GetString());
        Assert.DoesNotContain(functions, f => f.Route.Contains("ZoomSync") && f.Schedule is null);
    }

    [Fact]
    public void A_timer_endpoint_deeper_than_one_segment_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            FunctionsOf(app => app.MapPost("/timers/zoom", () => TimerTriggerMetadata.Invoked()).AsTimerFunction("0 */5 * * * *")));
        Assert.Contains("/{Name}", e.Message);
    }

    [Fact]
    public async Task A_timer_invocation_is_answered_as_the_functions_host_expects()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();

        await TimerTriggerMetadata.Invoked().ExecuteAsync(context);

        context.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("ReturnValue").ValueKind);
    }
}
