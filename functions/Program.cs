using Zawaroom.Hosting;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Realtime.AzureSignalR;
using Zawaroom.Realtime.InProcess;
using Zawaroom.Media;
using Zawaroom.Logs.Export;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.RoomSettings;
using Zawaroom.Schedules;
using Zawaroom.Sites;
using Zawaroom.Spaces;
using Zawaroom.ZoomSync;

var builder = WebApplication.CreateBuilder(args);
builder.AddZawaroomHost();

var app = builder.Build();
app.UseZawaroom();

var api = app.MapSiteApi();
api.MapAuth();
api.MapSiteAdmin();
api.MapMembers();
api.MapSpaces();
api.MapRooms();
api.MapRoomSettings();
api.MapLive();
api.MapMedia();
app.MapLiveHub();
app.MapAzureSignalRUpstream();
api.MapSchedules();
api.MapSchedulePeek();
api.MapZoomSync();
api.MapZoomWebhooks();
api.MapLogExports();
app.MapOperatorApi();
app.MapHealthAndSpa();

if (app.WriteFunctionJsonIfAsked()) return; // deployment: functions/triggers from the route table
await app.SeedDemoIfAsked();
app.Run();

/// <summary>Visible to the tests, which start the real app.</summary>
public partial class Program;
