namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>
/// Which expert shard holds which routed experts. Expert <c>e</c> of every MoE layer lives on shard <c>e mod S</c>:
/// round-robin keeps each shard's share of every layer equal (so no shard is the straggler of one layer), and a
/// layer's experts spread over all shards, which is what lets one forward pass keep every device busy.
/// </summary>
public sealed record ExpertPlacement
{
    /// <summary>Creates the placement of <paramref name="routedExperts"/> experts of <paramref name="moeLayers"/> on <paramref name="shards"/> shards.</summary>
    /// <exception cref="ArgumentException">No shard, more shards than experts, or no MoE layer.</exception>
    public ExpertPlacement(int shards, IReadOnlyList<int> moeLayers, int routedExperts)
    {
        ArgumentNullException.ThrowIfNull(moeLayers);
        if (moeLayers.Count == 0) throw new ArgumentException("expert shards need a model with at least one MoE layer (r1.model.moe-layers is empty)", nameof(moeLayers));
        if (shards < 1 || shards > routedExperts)
            throw new ArgumentException($"r1.experts.shards = {shards} must be between 1 and the routed experts per layer ({routedExperts})", nameof(shards));
        Shards = shards;
        MoeLayers = moeLayers.ToArray();
        RoutedExperts = routedExperts;
    }

    /// <summary>
    /// For a model config: its main MoE layers and routed experts. The MoE layer of a multi-token prediction module keeps
    /// its experts with the learner: RL does not train those modules (the paper's RL stage has no MTP term), so shards
    /// holding them would only carry weights no step changes.
    /// </summary>
    public static ExpertPlacement For(ModelConfig config, int shards)
    {
        var main = config.MoeLayers.Where(l => l < config.NumLayers).ToArray();
        if (main.Length == 0 && config.MoeLayers.Count > 0)
            throw new ArgumentException($"r1.experts.shards = {shards}: the only MoE layers ({string.Join(",", config.MoeLayers)}) are multi-token " +
                "prediction layers, whose experts stay with the learner; expert shards need a MoE layer among the main layers (r1.model.moe-layers)");
        return new(shards, main, config.NumRoutedExperts);
    }

    /// <summary>Number of shards.</summary>
    public int Shards { get; }

    /// <summary>The MoE layers, each with <see cref="RoutedExperts"/> experts spread over the shards.</summary>
    public IReadOnlyList<int> MoeLayers { get; }

    /// <summary>Routed experts per MoE layer.</summary>
    public int RoutedExperts { get; }

    /// <summary>The shard holding expert <paramref name="expert"/> (of any layer).</summary>
    public int ShardOf(int expert) => expert % Shards;

    /// <summary>The experts (of each layer) that shard <paramref name="shard"/> holds, ascending.</summary>
    public IReadOnlyList<int> ExpertsOf(int shard) =>
        Enumerable.Range(0, RoutedExperts).Where(e => ShardOf(e) == shard).ToArray();

    /// <summary>One line per shard, for the start of a run: "expert shard 0: experts 0,2,4,6 of layers 1,3".</summary>
    public IEnumerable<string> Describe() =>
        Enumerable.Range(0, Shards).Select(s =>
            $"expert shard {s}: experts {string.Join(",", ExpertsOf(s))} of layers {string.Join(",", MoeLayers)}");

    /// <summary>The Hugging Face name prefix of expert <paramref name="expert"/> in layer <paramref name="layer"/>.</summary>
    public static string Prefix(int layer, int expert) => $"model.layers.{layer}.mlp.experts.{expert}.";

    /// <summary>
    /// The shard holding tensor <paramref name="name"/> (<c>model.layers.1.mlp.experts.5.up_proj.weight</c> lives with
    /// expert 5 when layer 1 is one of <see cref="MoeLayers"/>), or null for a tensor no shard holds.
    /// </summary>
    public int? ShardOfTensor(string name)
    {
        const string layersPrefix = "model.layers.", marker = ".mlp.experts.";
        if (!name.StartsWith(layersPrefix, StringComparison.Ordinal)) return null;
        int at = name.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || !TryInt(name.AsSpan(layersPrefix.Length, at - layersPrefix.Length), out int layer) || !MoeLayers.Contains(layer)) return null;
        int start = at + marker.Length, end = name.IndexOf('.', start);
        return end > start && TryInt(name.AsSpan(start, end - start), out int expert) ? ShardOf(expert) : null;
    }

    private static bool TryInt(ReadOnlySpan<char> digits, out int value) =>
        int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
}
