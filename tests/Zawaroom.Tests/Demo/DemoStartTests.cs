using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Zawaroom.Tests.Demo;

/// <summary>
/// The README's start command on embedded defaults: the app, started as its own process in
/// Development on a fresh data folder, seeds the demo site and answers /healthz and login options.
/// </summary>
public sealed class DemoStartTests
{
    [Fact]
    public async Task The_demo_starts_on_a_fresh_data_folder_and_lets_the_admin_log_in()
    {
        var appDll = typeof(Program).Assembly.Location;
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "zawaroom-demo-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", $"\"{appDll}\"")
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["Zawaroom__DataDirectory"] = data;
        start.Environment["Zawaroom__OperatorKey"] = "demo-key";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilUp(http, process, output);

            var options = JsonDocument.Parse(await http.GetStringAsync("/s/demo/api/login-options")).RootElement;
            Assert.Contains(options.GetProperty("providers").EnumerateArray(), p => p.GetProperty("authType").GetString() == "local");

            var login = await http.PostAsync("/s/demo/api/auth/local",
                new StringContent("{\"email\":\"admin@demo.example\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
            var request = new HttpRequestMessage(HttpMethod.Get, "/s/demo/api/spaces");
            request.Headers.Authorization = new("Bearer", token);
            var spaces = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("本社", spaces[0].GetProperty("name").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    static async Task WaitUntilUp(HttpClient http, Process process, System.Text.StringBuilder output)
    {
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited) Assert.Fail("The app exited: " + output);
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail("The app did not answer /healthz within 30 s: " + output);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
