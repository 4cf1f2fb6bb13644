using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Model.Policy.Moe;

/// <summary>Where a MoE policy's routed experts live while it trains (HOCON section <c>r1.experts</c>).</summary>
public sealed record ExpertSettings
{
    /// <summary>The shipped defaults (<c>r1.experts</c> in hocon/), the only place they live.</summary>
    public static ExpertSettings Defaults => ShippedDefaults.Bind<ExpertSettings>("r1.experts");

    /// <summary>Expert shards to spread the routed experts over; 0 keeps them in their layers.</summary>
    public required int Shards { get; init; }

    /// <summary>Checks the values; a bad one is an <see cref="ArgumentException"/> naming its key.</summary>
    public ExpertSettings Validate()
    {
        if (Shards < 0) throw new ArgumentException($"r1.experts.shards must be 0 or more, not {Shards}");
        return this;
    }

    /// <summary>Whether <paramref name="config"/>'s routed experts go to shards under these settings.</summary>
    public bool ShardsExpertsOf(ModelConfig config) => Shards > 0 && config.MoeLayers.Count > 0;
}
