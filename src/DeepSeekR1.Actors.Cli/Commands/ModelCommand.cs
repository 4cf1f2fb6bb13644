using System.CommandLine;
using System.Text.Json;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 model info | import | export</c>: the effective model shape and its parameter counts; a Hugging Face
/// folder in and out of this project's checkpoints.</summary>
public static class ModelCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Command("model", "Inspect the policy model; import or export Hugging Face folders");
        var info = new Command("info", "Print the effective model configuration and parameter counts as JSON").WithConfigOptions();
        info.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse);
            var runtime = PolicyFactory.Start(config);
            using var policy = PolicyFactory.CreateRandom(config, runtime);
            long total = policy.parameters().Sum(p => p.numel());
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                config = policy.Config,
                tokenizer = runtime.Tokenizer.Name,
                parameters = total,
                active_parameters = policy.ActiveParameters(),
                kv_cache = KvCacheFigures(policy),
                device = policy.Device.ToString(),
            }, HumanJson.IndentedSnakeCase));
            return 0;
        }));
        model.Subcommands.Add(info);

        var from = new Option<string>("--from") { Description = "A Hugging Face model folder (config.json, safetensors, tokenizer.json)", Required = true };
        var importOut = new Option<string>("--out") { Description = "The new checkpoint folder (must not exist, or be empty)", Required = true };
        var import = new Command("import", "Check a Hugging Face model folder as every command loads it and copy it into a verified checkpoint; prints what it found")
            { from, importOut };
        import.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            parse.InvocationConfiguration.Output.WriteLine(ModelFolders.Import(parse.GetValue(from)!, parse.GetValue(importOut)!).ToJsonString(HumanJson.IndentedSnakeCase));
            return 0;
        }));
        model.Subcommands.Add(import);

        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint of this project (verified against its manifest)", Required = true };
        var exportOut = new Option<string>("--out") { Description = "The Hugging Face folder to write (must not exist, or be empty)", Required = true };
        var export = new Command("export", "Write a checkpoint as a plain Hugging Face folder: config.json, safetensors, tokenizer files; no manifest or optimizer state")
            { checkpoint, exportOut };
        export.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(ModelFolders.Export(parse.GetValue(checkpoint)!, parse.GetValue(exportOut)!).ToJsonString(HumanJson.IndentedSnakeCase));
            return 0;
        });
        model.Subcommands.Add(export);
        return model;
    }

    /// <summary>
    /// The KV cache's bytes per token (all layers) of this model in its own dtype and in bfloat16, and those of
    /// grouped-query attention of the same width (num-kv-heads heads of hidden-size / num-heads): for a latent-attention
    /// model the comparison its smaller cache is for (docs/architecture.md).
    /// </summary>
    private static object KvCacheFigures(Model.Policy.PolicyModel policy)
    {
        var c = policy.Config;
        var dtype = policy.Decoder.Embeddings.weight!.dtype;
        var gqa = c with { Attention = Model.Policy.AttentionKind.Gqa };
        return new
        {
            attention = c.Attention.ToString().ToLowerInvariant(),
            bytes_per_token = Model.Policy.KvCache.BytesPerToken(c, dtype),
            bytes_per_token_bfloat16 = Model.Policy.KvCache.BytesPerToken(c, TorchSharp.torch.ScalarType.BFloat16),
            gqa_same_width_bytes_per_token = Model.Policy.KvCache.BytesPerToken(gqa, dtype),
        };
    }
}
