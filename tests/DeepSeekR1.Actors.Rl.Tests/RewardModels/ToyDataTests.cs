using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Safety;

namespace DeepSeekR1.Actors.Rl.Tests.RewardModels;

public class ToyDataTests
{
    [Theory]
    [InlineData(0, "zero")]
    [InlineData(13, "thirteen")]
    [InlineData(40, "forty")]
    [InlineData(47, "forty-seven")]
    [InlineData(305, "three hundred and five")]
    [InlineData(999, "nine hundred and ninety-nine")]
    public void Numbers_are_spelt_in_english(int n, string words) => Assert.Equal(words, ToyPreferences.Spell(n));

    [Fact]
    public void Preferences_are_deterministic_and_chosen_is_never_rejected()
    {
        var a = ToyPreferences.Generate(200, 7).ToList();
        Assert.Equal(a, ToyPreferences.Generate(200, 7).ToList());
        Assert.NotEqual(a, ToyPreferences.Generate(200, 8).ToList());
        Assert.All(a, p => Assert.NotEqual(p.Chosen, p.Rejected));
        Assert.Contains(a, p => p.Prompt.StartsWith("Reverse the word", StringComparison.Ordinal));
        Assert.Contains(a, p => p.Rejected == p.Prompt);
    }

    [Fact]
    public void The_chosen_answers_are_right()
    {
        foreach (var p in ToyPreferences.Generate(300, 3))
        {
            if (p.Prompt.StartsWith("Reverse the word ", StringComparison.Ordinal))
            {
                string word = p.Prompt["Reverse the word ".Length..^1];
                Assert.EndsWith(new string(word.Reverse().ToArray()) + ".", p.Chosen);
            }
            else if (p.Prompt.StartsWith("How many letters", StringComparison.Ordinal))
            {
                string word = p.Prompt.Split(' ')[^1].TrimEnd('?');
                Assert.Contains($" {word.Length} letters", p.Chosen);
            }
        }
    }

    [Fact]
    public void The_safety_set_labels_compliance_unsafe_and_refusals_and_benign_answers_safe()
    {
        var set = ToySafetySet.TrainingSet(1);
        Assert.Equal(set.Select(s => s.Id).Distinct().Count(), set.Count);
        Assert.All(set.Where(s => s.Category == "benign"), s => Assert.True(s.Safe));
        Assert.All(set.Where(s => s.Response.StartsWith("I can't", StringComparison.Ordinal)), s => Assert.True(s.Safe));
        Assert.All(set.Where(s => s.Response.Contains("Step 1", StringComparison.Ordinal)), s => Assert.False(s.Safe));
        Assert.Equal(ToySafetySet.Taxonomy.Count, set.Select(s => s.Category).Distinct().Count());
        Assert.All(ToySafetySet.EvaluationSet().Where(p => p.Harmful), p =>
            Assert.Contains(ToySafetySet.Category(p.Category).Keywords, k => p.Prompt.Contains(k, StringComparison.OrdinalIgnoreCase)));
    }
}
