using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>The objective of one batch: a scalar loss carrying gradient, and the real tokens the batch covered.</summary>
/// <param name="model">The policy being trained.</param>
/// <param name="examples">The batch's examples.</param>
/// <param name="maxSeqLen">Longest sequence the batch may use.</param>
public delegate (Tensor Loss, long Tokens) SftBatchLoss(PolicyModel model, IReadOnlyList<SftExample> examples, int maxSeqLen);
