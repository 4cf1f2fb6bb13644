using DeepSeekR1.Actors.Rl.Optim;
using TorchSharp.Modules;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// Resuming a fine-tuning run that was killed: the step its last resume point was written at (the model already holds
/// that step's weights) with a way to load the optimizer state saved with it, and where to write the next resume
/// points. The trainer calls these on its own thread, between steps; the files are the caller's business.
/// </summary>
/// <param name="StartStep">Steps already taken (0: a fresh run).</param>
/// <param name="LoadOptimizer">
/// Loads the resume point's optimizer state and, for a bfloat16 model, its float32 master weights (<see cref="MasterWeights.LoadBeside"/>);
/// required when <paramref name="StartStep"/> is above 0.
/// </param>
/// <param name="Save">
/// Writes a resume point after the given number of steps (every <see cref="SftSettings.ResumeEvery"/> steps): the
/// optimizer state and, for a bfloat16 model, the masters (<see cref="MasterWeights.SaveBeside"/>).
/// </param>
public sealed record SftResume(long StartStep, Action<OptimizerHelper, MasterWeights>? LoadOptimizer, Action<long, OptimizerHelper, MasterWeights>? Save);
