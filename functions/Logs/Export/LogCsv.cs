using System.Text;
using CsvHelper;

namespace Zawaroom.Logs.Export;

/// <summary>
/// G2: the usage log as CSV that Excel opens correctly. UTF-8 with a BOM, RFC 4180 quoting (CRLF
/// records, quotes doubled, fields with commas, quotes or line breaks quoted), and text cells that
/// start like a formula (= + - @, their full-width ＝ ＋ － ＠, tab, CR) prefixed with <c>'</c> so a spreadsheet shows them as text.
/// Columns: the G1 fields, then one <c>details</c> column (see <see cref="DetailsText"/>).
/// Written as the events stream past: memory does not grow with the number of rows.
/// </summary>
public static class LogCsv
{
    public static readonly string[] Header =
        ["eventDateTime", "eventDateTime(JST)", "eventType", "email", "name", "space", "room", "subroom.name", "details"];

    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        WriteByteOrderMark = true,
        NewLine = "\r\n",
        Injection = CsvInjection.Escape,
    };

    /// <summary>What the writer has done so far: rows written and the time of the last event read.</summary>
    public readonly record struct Progress(long Rows, long Scanned, DateTimeOffset LastEventAt);

    /// <summary>
    /// Writes the header and one row per event that <paramref name="include"/> accepts; calls
    /// <paramref name="report"/> every <paramref name="reportEvery"/> events read. Returns the rows written.
    /// </summary>
    public static async Task<long> Write(IAsyncEnumerable<UsageEvent> events, Stream destination, Func<UsageEvent, bool> include,
        Func<Progress, Task>? report, CancellationToken ct, int reportEvery = 10_000)
    {
        await using var csv = CsvWriter.Create(destination, Options, leaveOpen: true);
        csv.WriteHeader(Header); // a whole record: it ends itself
        long rows = 0, scanned = 0;
        await foreach (var e in events.WithCancellation(ct))
        {
            scanned++;
            if (include(e))
            {
                csv.WriteField(UsageTime.Utc(e.EventDateTime));
                csv.WriteField(e.EventDateTimeJst);
                csv.WriteField(Text(e.EventType));
                csv.WriteField(Text(e.Email));
                csv.WriteField(Text(e.Name));
                csv.WriteField(Text(e.Space));
                csv.WriteField(Text(e.Room));
                csv.WriteField(Text(e.SubroomName));
                csv.WriteField(Text(DetailsText.Format(e.Details)));
                await csv.EndRecordAsync(ct);
                rows++;
            }
            if (report is not null && scanned % reportEvery == 0) await report(new Progress(rows, scanned, e.EventDateTime));
        }
        await csv.FlushAsync(ct);
        return rows;
    }

    /// <summary>Full-width formula signs, which a Japanese Excel also reads as the start of a formula.</summary>
    static readonly char[] WideFormulaSigns = ['＝', '＋', '－', '＠'];

    /// <summary>
    /// A text cell as written: the writer escapes the ASCII formula signs itself; a cell starting with a full-width one
    /// gets the same leading <c>'</c>.
    /// </summary>
    public static string? Text(string? value) =>
        value is { Length: > 0 } && Array.IndexOf(WideFormulaSigns, value[0]) >= 0 ? "'" + value : value;
}

/// <summary>
/// The <c>details</c> cell: <c>key=value</c> pairs in the order the event logged them, joined by
/// <c>"; "</c> (<c>status=会議中</c>, <c>target=bob@example.com; cid=c2</c>). Inside a key or value a
/// backslash escapes <c>\</c>, <c>;</c> and <c>=</c>, so any text comes back exactly with <see cref="Parse"/>.
/// One column keeps the file's shape fixed whatever details future events carry.
/// </summary>
public static class DetailsText
{
    public static string Format(IReadOnlyDictionary<string, string> details)
    {
        if (details.Count == 0) return "";
        var text = new StringBuilder();
        foreach (var (key, value) in details)
        {
            if (text.Length > 0) text.Append("; ");
            Escape(text, key);
            text.Append('=');
            Escape(text, value);
        }
        return text.ToString();
    }

    static void Escape(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            if (c is '\\' or ';' or '=') text.Append('\\');
            text.Append(c);
        }
    }

    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>();
        var part = new StringBuilder();
        string? key = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length) { part.Append(text[++i]); continue; }
            if (c == '=' && key is null) { key = part.ToString(); part.Clear(); continue; }
            if (c == ';')
            {
                if (key is not null) result[key] = part.ToString();
                key = null;
                part.Clear();
                if (i + 1 < text.Length && text[i + 1] == ' ') i++;
                continue;
            }
            part.Append(c);
        }
        if (key is not null) result[key] = part.ToString();
        return result;
    }
}
