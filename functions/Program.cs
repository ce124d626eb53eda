using Zawaroom.Hosting;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.RoomSettings;
using Zawaroom.Sites;
using Zawaroom.Spaces;

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
app.MapLiveHub();
app.MapOperatorApi();
app.MapHealthAndSpa();

if (app.WriteFunctionJsonIfAsked()) return; // deployment: functions/triggers from the route table
await app.SeedDemoIfAsked();
app.Run();

/// <summary>Visible to the tests, which start the real app.</summary>
public partial class Program;
