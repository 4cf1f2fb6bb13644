using DeepSeekR1.Actors.Model.Tests.Policy;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class CheckpointStoreTests
{
    private static readonly ModelConfig Config = TinyModels.Shipped with { VocabSize = 8, HiddenSize = 4, NumHeads = 1, NumKvHeads = 1, NumLayers = 1, IntermediateSize = 4, EosTokenId = 1 };

    private static KeyValuePair<string, Tensor>[] Weights(float value) =>
        [new("model.norm.weight", full(4, value))];

    [Fact]
    public void Versions_are_listed_in_order_and_loaded_by_number()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var store = new CheckpointStore(dir.Path);
        Assert.Null(store.Latest());
        foreach (var version in new long[] { 3, 1, 12 }) store.Save(version, Config, Weights(version));
        // A save that died before its rename, and an unrelated folder, are not versions.
        Directory.CreateDirectory(Path.Combine(dir.Path, ".partial-policy-00000020-abc"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "policy-notanumber"));

        Assert.Equal([1L, 3L, 12L], store.Versions());
        Assert.Equal(12, store.Latest());
        using var loaded = store.Load(3);
        Assert.Equal("3", loaded.Metadata[CheckpointStore.PolicyVersionKey]);
        Assert.Equal(3f, loaded.Tensors["model.norm.weight"][0].item<float>());
    }

    [Fact]
    public void Prune_keeps_the_newest()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var store = new CheckpointStore(dir.Path);
        for (var version = 1; version <= 4; version++) store.Save(version, Config, Weights(version));

        Assert.Equal([1L, 2L], store.Prune(keep: 2));
        Assert.Equal([3L, 4L], store.Versions());
        Assert.False(Directory.Exists(store.PathFor(1)));
    }
}
