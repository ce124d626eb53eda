using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Common;

namespace Zawaroom.Tests.Support;

/// <summary>
/// The real app on a loopback port (Kestrel, not an in-memory server), with its own data folder,
/// local login on, the operator API on. Tests talk to it over HTTP, as the browser does.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key";
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
    readonly Dictionary<string, string?> _settings = new();
    readonly List<Action<IServiceCollection>> _services = [];

    /// <summary>Set before the first request to run the app on a fake clock.</summary>
    public FakeTimeProvider? Clock { get; set; }

    public TestApp With(string key, string? value) { _settings[key] = value; return this; }
    public TestApp WithServices(Action<IServiceCollection> configure) { _services.Add(configure); return this; }

    /// <summary>The host environment the app runs in ("Testing" unless a test says otherwise).</summary>
    public string Environment { get; set; } = "Testing";

    public Uri BaseAddress => ClientOptions.BaseAddress;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("urls", "http://127.0.0.1:0");
        var settings = new Dictionary<string, string?>
        {
            ["Zawaroom:DataDirectory"] = DataDirectory,
            ["Zawaroom:OperatorKey"] = OperatorKey,
            ["Zawaroom:Auth:LocalLogin"] = "true",
            ["Zawaroom:SeedDemo"] = "false",
        };
        foreach (var (key, value) in _settings) settings[key] = value;
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureServices(services =>
        {
            if (Clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            }
            foreach (var configure in _services) configure(services);
        });
    }

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A plain client of the app (no credentials).</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    public HttpClient Operator()
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return client;
    }

    /// <summary>Creates a site through the operator API with its first site admin.</summary>
    public async Task<TestSite> CreateSite(string subdomain, int maxUsersCount = 50, string? adminEmail = null)
    {
        adminEmail ??= $"admin@{subdomain.Replace('_', '-')}.example";
        var response = await Operator().PostAsJsonAsync("/operator/api/sites",
            new { subdomain, adminEmail, adminAuthType = "aad", maxUsersCount });
        await Http.Ensure(response);
        var site = new TestSite(this, subdomain, adminEmail);
        return site;
    }
}

/// <summary>A site of the app under test, spoken to through "/s/{sub}/api".</summary>
public sealed class TestSite(TestApp app, string subdomain, string adminEmail)
{
    public string Subdomain { get; } = subdomain;
    public string AdminEmail { get; } = adminEmail;
    public TestApp App { get; } = app;

    public string Api(string path) => $"/s/{Subdomain}/api/{path.TrimStart('/')}";

    public HttpClient Anonymous() => App.Anonymous();

    /// <summary>A client logged in (local login) as the given member.</summary>
    public async Task<HttpClient> As(string email)
    {
        var client = App.Anonymous();
        var response = await client.PostAsJsonAsync(Api("auth/local"), new { email });
        var body = await Http.Ensure<JsonElement>(response);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        return client;
    }

    public Task<HttpClient> Admin() => As(AdminEmail);

    public async Task<string> AddMember(string email, string authType = "aad")
    {
        var admin = await Admin();
        await Http.Ensure(await admin.PostAsJsonAsync(Api("admin/members"), new { email, authType }));
        return email;
    }

    public async Task<string> AddSpace(string name = "本社")
    {
        var admin = await Admin();
        var space = await Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api("spaces"), new { name }));
        return space.GetProperty("id").GetString()!;
    }

    public async Task<string> AddRoom(string spaceId, string name = "オフィス")
    {
        var admin = await Admin();
        var room = await Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api($"spaces/{spaceId}/rooms"), new { name }));
        return room.GetProperty("id").GetString()!;
    }

    /// <summary>Makes the member a room admin of the room.</summary>
    public async Task MakeRoomAdmin(string roomId, params string[] emails)
    {
        var admin = await Admin();
        var request = new HttpRequestMessage(HttpMethod.Patch, Api($"rooms/{roomId}")) { Content = JsonContent.Create(new { roomAdmins = emails }) };
        await Http.Ensure(await admin.SendAsync(request));
    }
}

public static class Http
{
    public static async Task Ensure(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<T> Ensure<T>(HttpResponseMessage response)
    {
        await Ensure(response);
        return (await response.Content.ReadFromJsonAsync<T>(Json.Options))!;
    }

    /// <summary>Asserts a problem+json answer with the given status and code; returns the problem.</summary>
    public static async Task<JsonElement> AssertProblem(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string body, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, contentType));
}
