using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tests.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public sealed class PolicyCheckpointTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("r1-policy-ckpt-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static float[] Logits(PolicyModel model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return model.Forward(tensor(new long[] { 3, 4, 5, 6 }).unsqueeze(0), arange(4).unsqueeze(0)).flatten().data<float>().ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_saved_policy_loads_back_with_identical_logits(bool moe)
    {
        using var model = new PolicyModel(moe ? TinyModels.Moe() : TinyModels.Dense(), seed: 9);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root, "ckpt"), new CheckpointSaveOptions { MaxShardBytes = 20_000 });
        using var loaded = PolicyCheckpoint.Load(dir);
        Assert.Equal(model.Config with { MoeLayers = [] }, loaded.Config with { MoeLayers = [] });
        Assert.Equal(model.Config.MoeLayers, loaded.Config.MoeLayers);
        Assert.Equal(Logits(model), Logits(loaded));
    }

    [Fact]
    public void Bf16_checkpoint_loads_within_bf16_rounding()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 9);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root, "bf16"), new CheckpointSaveOptions { DType = SafetensorsDType.BF16 });
        using var loaded = PolicyCheckpoint.Load(dir);
        var a = Logits(model); var b = Logits(loaded);
        Assert.All(a.Zip(b), p => Assert.True(Math.Abs(p.First - p.Second) < 0.05, $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void A_flipped_byte_names_the_damaged_file()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 9);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root, "flip"));
        string weights = Path.Combine(dir, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<CheckpointException>(() => PolicyCheckpoint.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_shape_is_refused_with_the_tensor_name()
    {
        using var model = new PolicyModel(TinyModels.Dense(), seed: 9);
        using var other = new PolicyModel(TinyModels.Dense() with { IntermediateSize = 40 }, seed: 9);
        var e = Assert.Throws<CheckpointException>(() => PolicyCheckpoint.CopyInto(other, model.state_dict(), "x"));
        Assert.Contains("mlp.gate_proj.weight", e.Message);
    }
}
