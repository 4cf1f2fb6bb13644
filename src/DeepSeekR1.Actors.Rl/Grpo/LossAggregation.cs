namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>How per-token losses of a mini-batch are reduced to one scalar. The choice decides how much each token weighs.</summary>
public enum LossAggregation
{
    /// <summary>
    /// The GRPO paper: mean over the tokens of each output, then mean over outputs (1/G Σᵢ 1/|oᵢ| Σₜ).
    /// Every output weighs the same, so a token of a long output weighs less than a token of a short one: long wrong
    /// answers are penalised less per token, a length bias that DAPO and Dr.GRPO both point out.
    /// </summary>
    SeqMeanTokenMean,

    /// <summary>DAPO / TRL default: sum over every completion token of the mini-batch divided by their number. Every token weighs the same.</summary>
    TokenMean,

    /// <summary>
    /// Dr.GRPO: sum over every completion token divided by (number of outputs × a constant maximum length L,
    /// <see cref="GrpoLossOptions.MaxCompletionLength"/>). Every token weighs the same and the scale no longer
    /// depends on how long this particular mini-batch happened to be.
    /// </summary>
    DrGrpo,
}
