using System.Text.Json;

namespace Zawaroom.Common;

/// <summary>
/// Reads a JSON merge-style patch body field by field: only what the body names changes, a field of
/// the wrong type or an unknown field is a 400 "validation" naming the field, so nothing half-applies.
/// </summary>
public sealed class PatchBody
{
    readonly JsonElement _root;
    readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public PatchBody(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Problems.Validation("The body must be a JSON object.");
        _root = root;
    }

    public bool Has(string name) { _known.Add(name); return _root.TryGetProperty(name, out _); }

    public IEnumerable<string> Names => _root.EnumerateObject().Select(p => p.Name);

    /// <summary>Call after reading every allowed field: refuses fields nobody read.</summary>
    public void RejectUnknown()
    {
        var unknown = Names.Where(n => !_known.Contains(n)).ToList();
        if (unknown.Count > 0) throw Problems.Validation("Unknown field(s): " + string.Join(", ", unknown));
    }

    JsonElement? Get(string name)
    {
        _known.Add(name);
        return _root.TryGetProperty(name, out var value) ? value : null;
    }

    public string? String(string name, bool nullable = false)
    {
        var v = Get(name);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.Null && nullable) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : throw WrongType(name, "a string");
    }

    public bool? Bool(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        return v.Value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw WrongType(name, "true or false") };
    }

    public int? Int(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i) ? i : throw WrongType(name, "a whole number");
    }

    public IReadOnlyList<string>? StringList(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        if (v.Value.ValueKind != JsonValueKind.Array) throw WrongType(name, "a list of strings");
        return v.Value.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw WrongType(name, "a list of strings"))
            .ToList();
    }

    public T? Enum<T>(string name) where T : struct, System.Enum
    {
        var v = Get(name);
        if (v is null) return null;
        try
        {
            return v.Value.Deserialize<T>(Json.Options);
        }
        catch (JsonException)
        {
            throw WrongType(name, "one of " + string.Join(", ", System.Enum.GetValues<T>().Select(x => JsonSerializer.Serialize(x, Json.Options))));
        }
    }

    static ProblemException WrongType(string name, string expected) =>
        Problems.Validation($"'{name}' must be {expected}.", new Dictionary<string, object?> { ["field"] = name });
}
