using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tests.Checkpoints;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// Reading the committed reference fixtures that make_reference.py scripts write (a folder with config.json,
/// model.safetensors and reference.safetensors holding <c>input_ids.{s}</c> and <c>logits.{s}</c>), and comparing a
/// loaded model with them: shared by the MLA and the RoPE-scaling reference tests.
/// </summary>
internal static class ReferenceCheckpoints
{
    /// <summary>The reference tensors of the fixture folder <paramref name="folder"/>.</summary>
    public static Dictionary<string, Tensor> Reference(string folder) => SafetensorsReader.Read(Path.Combine(folder, "reference.safetensors"));

    /// <summary>How many reference sequences there are.</summary>
    public static int Sequences(Dictionary<string, Tensor> reference) => reference.Keys.Count(k => k.StartsWith("input_ids.", StringComparison.Ordinal));

    /// <summary>The token ids of reference sequence <paramref name="s"/>.</summary>
    public static long[] Ids(Dictionary<string, Tensor> reference, int s) => reference[$"input_ids.{s}"].data<long>().ToArray();

    /// <summary>Logits [T, vocab] of one unpadded sequence by the full (cache-less) forward.</summary>
    public static Tensor FullLogits(PolicyModel model, long[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.Forward(tensor(ids, [1, ids.Length]), arange(ids.Length).unsqueeze(0))[0].MoveToOuterDisposeScope();
    }

    /// <summary>Largest |logits - reference| over every reference sequence.</summary>
    public static double LargestDifference(PolicyModel model, Dictionary<string, Tensor> reference)
    {
        double worst = 0;
        for (int s = 0; s < Sequences(reference); s++)
        {
            using var logits = FullLogits(model, Ids(reference, s));
            using var expected = reference[$"logits.{s}"].to_type(ScalarType.Float32);
            worst = Math.Max(worst, (logits - expected).abs().max().item<float>());
        }
        return worst;
    }

    /// <summary>Logits of positions <paramref name="from"/> .. + <paramref name="count"/> through <paramref name="cache"/>, which it advances.</summary>
    public static Tensor CachedLogits(PolicyModel model, KvCache cache, long[] ids, int from, int count)
    {
        var logits = model.Forward(tensor(ids[from..(from + count)], [1, count]), arange(from, from + count).unsqueeze(0), null, cache)[0];
        cache.Advance(count);
        return logits;
    }

    /// <summary>A loaded copy of the fixture <paramref name="folder"/> with its config.json changed by <paramref name="edit"/>.</summary>
    public static PolicyModel LoadEdited(string folder, TempDirectory dir, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HfConfigJson.FileName)))!.AsObject();
        edit(config);
        File.WriteAllText(dir.File(HfConfigJson.FileName), config.ToJsonString());
        File.Copy(Path.Combine(folder, "model.safetensors"), dir.File("model.safetensors"));
        return PolicyCheckpoint.Load(dir.Path, verify: false);
    }
}
