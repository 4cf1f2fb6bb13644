using DeepSeekR1.Actors.Cli.Bench;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Cli.Tests.Bench;

/// <summary><c>r1 bench speculative</c> on a tiny random policy: its fields, greedy agreement, and the refusal without MTP layers.</summary>
public class SpeculativeBenchmarkTests
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static PolicyModel Tiny(int mtpLayers) => new(ModelConfig.Defaults with
    {
        VocabSize = Tokenizer.VocabSize, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId, HiddenSize = 32,
        IntermediateSize = 48, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, MtpLayers = mtpLayers,
    }, seed: 5);

    private static readonly BenchSettings Settings = BenchSettings.Defaults with { SpeculativePrompts = 2, Repeats = 1 };
    private static readonly SamplingOptions Sampling = SamplingOptions.Defaults with { MaxNewTokens = 6 };

    [Fact]
    public void It_reports_both_modes_as_ratios_and_greedy_agreement()
    {
        using var model = Tiny(mtpLayers: 1);
        var fields = SpeculativeBenchmark.Run(model, Tokenizer, Settings, Sampling, "");
        Assert.Equal("speculative", fields["benchmark"]);
        Assert.Equal(true, fields["greedy_identical"]);
        foreach (string mode in (string[])["greedy", "sampled"])
            foreach (string field in (string[])["acceptance_rate", "tokens_per_main_pass", "speedup", "plain_tokens_per_s", "speculative_tokens_per_s", "verify_ms_per_pass"])
                Assert.True(fields.ContainsKey($"{mode}_{field}"), $"{mode}_{field} missing");
        Assert.InRange((double)fields["greedy_tokens_per_main_pass"], 1.0, 2.0);
    }

    [Fact]
    public void A_model_without_mtp_layers_is_not_supported()
    {
        using var model = Tiny(mtpLayers: 0);
        var e = Assert.Throws<NotSupportedException>(() => SpeculativeBenchmark.Run(model, Tokenizer, Settings, Sampling, ""));
        Assert.Contains("mtp-layers", e.Message);
    }
}
