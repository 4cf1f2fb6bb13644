using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Compares the JSON an earlier build wrote with today's encoding of what today's code decoded from it. Decoding alone
/// proves little: System.Text.Json skips properties it does not know and gives missing constructor parameters their
/// defaults, so a renamed or retyped field reads back silently as a default. Comparing field by field catches that.
/// </summary>
internal static class ContractFields
{
    /// <summary>
    /// The fields <paramref name="written"/> holds that <paramref name="reencoded"/> lacks or holds with another value,
    /// as JSON paths; empty when nothing was lost. Fields only <paramref name="reencoded"/> has (added since) do not count.
    /// </summary>
    public static IReadOnlyList<string> Lost(byte[] written, byte[] reencoded)
    {
        var lost = new List<string>();
        Compare(JsonNode.Parse(written), JsonNode.Parse(reencoded), "$", lost);
        return lost;
    }

    private static void Compare(JsonNode? before, JsonNode? after, string path, List<string> lost)
    {
        switch (before)
        {
            case JsonObject written when after is JsonObject now:
                foreach (var (name, value) in written)
                {
                    if (now.TryGetPropertyValue(name, out var kept)) Compare(value, kept, $"{path}.{name}", lost);
                    else lost.Add($"{path}.{name}: gone");
                }
                break;
            case JsonArray written when after is JsonArray now && written.Count == now.Count:
                for (int i = 0; i < written.Count; i++) Compare(written[i], now[i], $"{path}[{i}]", lost);
                break;
            default:
                if (!JsonNode.DeepEquals(before, after))
                    lost.Add($"{path}: {before?.ToJsonString() ?? "null"} became {after?.ToJsonString() ?? "null"}");
                break;
        }
    }
}
