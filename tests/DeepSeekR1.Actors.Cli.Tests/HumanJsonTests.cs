using System.Text.Json;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Cli.Tests;

/// <summary>JSON people read: characters as themselves, enums by name, snake_case where asked.</summary>
public sealed class HumanJsonTests
{
    private sealed record Line(string Answer, FinishReason Finish, int MaxNewTokens);

    [Fact]
    public void Writes_what_it_is_given_without_html_escapes_and_enums_by_name()
    {
        var line = new Line("<answer> 1 + 2's </answer>", FinishReason.Length, 4);
        Assert.Equal("{\"Answer\":\"<answer> 1 + 2's </answer>\",\"Finish\":\"Length\",\"MaxNewTokens\":4}", JsonSerializer.Serialize(line, HumanJson.Compact));
        string indented = JsonSerializer.Serialize(line, HumanJson.IndentedSnakeCase);
        Assert.Contains("\"max_new_tokens\": 4", indented);
        Assert.Contains("\"finish\": \"length\"", indented);
    }
}
