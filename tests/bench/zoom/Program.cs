// Zoom sync benchmark (issue 6): N entries over M members against the Zoom stand-in.
// A first run must make exactly as many Zoom calls as meetings are needed; a second run with nothing
// changed must make none. Prints the figures and the run time of both.
// Usage: dotnet run -c Release --project tests/bench/zoom [entries=10000] [members=500]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Zawaroom.Tests.Support;
using Zawaroom.Tests.ZoomSync;

var entries = args.Length > 0 ? int.Parse(args[0]) : 10_000;
var memberCount = args.Length > 1 ? int.Parse(args[1]) : 500;
var perMember = entries / memberCount;

// WebApplicationFactory finds the app's content root through this variable when not run by a test host.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "functions", "Zawaroom.Functions.csproj"))) root = root.Parent;
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ZAWAROOM_FUNCTIONS", Path.Combine(root!.FullName, "functions"));

var world = new ZoomWorld();
world.App.With("Logging:LogLevel:Default", "Warning").With("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
await world.InitializeAsync();
try
{
    var site = await world.App.CreateSite("zbench", maxUsersCount: memberCount + 10);
    var admin = await site.Admin();
    await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom"), new
    {
        enabled = true, accountId = ZoomStandIn.AccountId, clientId = ZoomStandIn.ClientId, clientSecret = ZoomStandIn.ClientSecret,
        timeZone = "Asia/Tokyo", inviteAttendees = true,
    }));
    var setup = Stopwatch.StartNew();
    var members = Enumerable.Range(0, memberCount).Select(i => $"m{i:D4}@bench.example").ToList();
    foreach (var m in members)
    {
        await site.AddMember(m);
        world.Zoom.AddUser($"z.{m}");
    }
    await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom/members"),
        new { items = members.Select(m => new { email = m, zoomEnabled = true, zoomEmail = $"z.{m}" }).ToList() }));

    var meetingsNeeded = 0;
    var start = DateTimeOffset.Parse("2026-12-03T09:00:00+09:00");
    foreach (var (m, mi) in members.Select((m, i) => (m, i)))
    {
        var csv = new StringBuilder("uid,title,start,end,allDay,location,recurrence\r\n");
        for (var e = 0; e < perMember; e++)
        {
            var s = start.AddDays((mi + e * 4) % 85).AddHours(e % 8);
            var zoom = e % 4 != 3; // three in four entries are Zoom meetings
            var recurring = e % 10 == 0 ? "FREQ=WEEKLY;COUNT=4" : "";
            if (zoom) meetingsNeeded++;
            csv.Append($"{m}-{e},会議 {e},{s:yyyy-MM-dd'T'HH:mm:sszzz},{s.AddHours(1):yyyy-MM-dd'T'HH:mm:sszzz},false,{(zoom ? "Zoom 会議" : "本社")},{recurring}\r\n");
        }
        var client = await site.As(m);
        await Http.Ensure(await client.PostAsync(site.Api("schedules/import"), new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")));
    }
    Console.WriteLine($"set-up: {memberCount} members, {perMember * memberCount} entries, {meetingsNeeded} meetings needed ({setup.Elapsed.TotalSeconds:F1} s)");

    var token = (await Http.Ensure<JsonElement>(await world.App.Anonymous().PostAsJsonAsync(site.Api("auth/local"), new { email = site.AdminEmail }))).GetProperty("token").GetString();
    var runner = new HttpClient { BaseAddress = world.App.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    runner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    Console.WriteLine("| run | Zoom API calls | meetings in Zoom | created | time (s) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var name in new[] { "first", "second (nothing changed)" })
    {
        var before = world.Zoom.ApiCalls;
        var watch = Stopwatch.StartNew();
        var result = await Http.Ensure<JsonElement>(await runner.PostAsync(site.Api("admin/zoom/sync"), null));
        watch.Stop();
        Console.WriteLine($"| {name} | {world.Zoom.ApiCalls - before} | {world.Zoom.Meetings().Count} | {result.GetProperty("created").GetInt32()} | {watch.Elapsed.TotalSeconds:F2} |");
    }
    Console.WriteLine($"meetings needed: {meetingsNeeded}");
}
finally
{
    await world.DisposeAsync();
}
