using System.Text;
using CsvHelper;
using Zawaroom.Logs;
using Zawaroom.Logs.Export;

namespace Zawaroom.Tests.Logs;

public sealed class LogCsvTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 15, 30, 0, 123, TimeSpan.Zero);

    static UsageEvent Event(string id, string name, IReadOnlyDictionary<string, string> details, string type = EventTypes.UserMessage) => new()
    {
        Id = id, SiteId = "s", EventDateTime = T0, EventType = type, Email = $"{id}@x.example", Name = name,
        Space = "本社", Room = "開発室", SubroomName = "会議室 A", Details = details,
    };

    static async IAsyncEnumerable<UsageEvent> Stream(params UsageEvent[] events)
    {
        foreach (var e in events) { await Task.Yield(); yield return e; }
    }

    static async Task<byte[]> Csv(params UsageEvent[] events)
    {
        using var buffer = new MemoryStream();
        await LogCsv.Write(Stream(events), buffer, _ => true, null, CancellationToken.None);
        return buffer.ToArray();
    }

    /// <summary>Reads a CSV as a spreadsheet would see it: records of fields, RFC 4180 unquoted.</summary>
    public static List<string[]> Parse(byte[] csv)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv), new CsvReaderOptions { AllowLineBreaksInQuotes = true, HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        return rows;
    }

    [Fact]
    public async Task The_file_starts_with_a_UTF8_BOM_and_the_G1_header_and_ends_records_with_CRLF()
    {
        var csv = await Csv(Event("a", "alice", new Dictionary<string, string> { ["message"] = "こんにちは" }));

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        var text = Encoding.UTF8.GetString(csv, 3, csv.Length - 3);
        Assert.Equal("eventDateTime,eventDateTime(JST),eventType,email,name,space,room,subroom.name,details\r\n"
            + "2026-11-23T15:30:00.123Z,2026-11-24T00:30:00.123+09:00,userMessage,a@x.example,alice,本社,開発室,会議室 A,message=こんにちは\r\n", text);
    }

    [Fact]
    public async Task Quotes_commas_and_line_breaks_in_a_message_survive_RFC_4180_quoting()
    {
        var message = "He said \"hi\", then\r\nleft; a=b \\ done";
        var csv = await Csv(Event("a", "Sato, Taro", new Dictionary<string, string> { ["message"] = message, ["cid"] = "c1" }));

        var text = Encoding.UTF8.GetString(csv);
        Assert.Contains("\"Sato, Taro\"", text);
        Assert.Contains("\"message=He said \"\"hi\"\", then\r\nleft\\; a\\=b \\\\ done; cid=c1\"", text);
        var row = Parse(csv)[1];
        Assert.Equal(9, row.Length);
        Assert.Equal("Sato, Taro", row[4]);
        Assert.Equal(new Dictionary<string, string> { ["message"] = message, ["cid"] = "c1" }, DetailsText.Parse(row[8]));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\")")]
    [InlineData("+1+2")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A2)")]
    [InlineData("\t=1")]
    [InlineData("＝HYPERLINK(\"http://evil.example\")")]
    [InlineData("＋1+2")]
    [InlineData("－2+3")]
    [InlineData("＠SUM(A1:A2)")]
    public async Task A_cell_that_starts_like_a_formula_is_written_as_text(string name)
    {
        var csv = await Csv(Event("a", name, new Dictionary<string, string>()));

        var row = Parse(csv)[1];
        Assert.Equal("'" + name, row[4]);
        // Every other cell of the row is left as it was.
        Assert.Equal("a@x.example", row[3]);
        Assert.Equal("", row[8]);
    }

    [Fact]
    public async Task Only_the_events_the_filter_accepts_are_written_and_progress_is_reported_as_events_are_read()
    {
        var events = Enumerable.Range(0, 25).Select(i => Event($"e{i}", "n", new Dictionary<string, string>()) with
        {
            EventDateTime = T0.AddMinutes(i), RoomId = i % 2 == 0 ? "even" : "odd",
        }).ToArray();
        var reports = new List<LogCsv.Progress>();
        using var buffer = new MemoryStream();

        var rows = await LogCsv.Write(Stream(events), buffer, e => e.RoomId == "even", p => { reports.Add(p); return Task.CompletedTask; },
            CancellationToken.None, reportEvery: 10);

        Assert.Equal(13, rows);
        Assert.Equal(14, Parse(buffer.ToArray()).Count);
        Assert.Equal([10L, 20L], reports.Select(r => r.Scanned));
        Assert.Equal([5L, 10L], reports.Select(r => r.Rows));
        Assert.Equal(T0.AddMinutes(19), reports[1].LastEventAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("semi; colon = equals \\ backslash")]
    [InlineData("; ")]
    [InlineData("\\")]
    public void Details_text_gives_back_any_key_and_value(string value)
    {
        var details = new Dictionary<string, string> { ["message"] = value, ["odd=key;"] = value + "x", ["last"] = "" };

        Assert.Equal(details, DetailsText.Parse(DetailsText.Format(details)));
    }

    [Fact]
    public void Progress_follows_time_and_stays_below_one_until_done()
    {
        var from = T0;
        var to = T0.AddDays(10);

        Assert.Equal(0, ExportRules.Progress(from, to, from));
        Assert.Equal(0.5, ExportRules.Progress(from, to, from.AddDays(5)));
        Assert.Equal(0.99, ExportRules.Progress(from, to, to));
    }

    [Theory]
    [InlineData("2026-12-01T00:00:00+09:00", "2026-12-01T00:00:00+09:00", "after")]
    [InlineData("2026-12-02T00:00:00+09:00", "2026-12-01T00:00:00+09:00", "after")]
    [InlineData("2025-01-01T00:00:00+09:00", "2026-12-01T00:00:00+09:00", "one year")]
    [InlineData("yesterday", "2026-12-01T00:00:00+09:00", "ISO 8601")]
    [InlineData("2026-11-01T00:00:00", "2026-12-01T00:00:00+09:00", "ISO 8601")]
    [InlineData(null, "2026-12-01T00:00:00+09:00", "ISO 8601")]
    public void A_bad_range_is_refused(string? from, string to, string reason)
    {
        var problem = Assert.Throws<Zawaroom.Common.ProblemException>(() => ExportRules.Range(from, to));

        Assert.Equal(400, problem.Status);
        Assert.Contains(reason, problem.Message);
    }

    [Fact]
    public void A_whole_leap_year_is_one_export()
    {
        var (from, to) = ExportRules.Range("2028-01-01T00:00:00+09:00", "2029-01-01T00:00:00+09:00");

        Assert.Equal(TimeSpan.FromDays(366), to - from);
    }
}
