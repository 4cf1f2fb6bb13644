using Akka.Actor;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Builds one entity at a time the way Placement does (the same RL helpers and settings), with whatever refs a test
/// puts in place of its peers (probes); a peer a test does not care about is Nobody.
/// </summary>
internal sealed record EntityHarness(EngineRun Run, EngineSettings Settings)
{
    public IActorRef Runs { get; init; } = ActorRefs.Nobody;
    public IActorRef Groups { get; init; } = ActorRefs.Nobody;
    public IActorRef Verifiers { get; init; } = ActorRefs.Nobody;
    public IActorRef Learner { get; init; } = ActorRefs.Nobody;
    public IActorRef WorkQueue { get; init; } = ActorRefs.Nobody;
    public IActorRef PubSub { get; init; } = ActorRefs.Nobody;

    public TrainingPrompts Prompts => new(Run.Task, Run.Seed, Run.Grpo.PromptsPerStep);
    public GroupSampler Sampler => new(Run.Tokenizer, new RolloutScorer(Run.Tokenizer, Rl.Rewards.RewardSets.For(Run.Grpo.RewardWeights)), Run.Sampling, Run.Seed, Run.Grpo.GroupSize);
    public string CheckpointDirectory(long version) => Run.Layout.Checkpoint(version);

    public Props RunProps() => Props.Create(() => new RunEntity(Run, Prompts, Settings.SnapshotEvery, new RunEntity.Peers(Learner, Groups, PubSub)));

    public Props GroupProps(string groupId) => Props.Create(() =>
        new PromptGroupEntity(groupId, Run, Settings.GroupResendInterval, new PromptGroupEntity.Peers(WorkQueue, Verifiers, Learner)));

    public Props LearnerProps() => Props.Create(() =>
        new LearnerActor(Run, new LearnerActor.Options(Settings.SnapshotEvery, Settings.SegfaultAtStep, Settings.UpdateDelay), EngineMarkers.Off, new LearnerActor.Peers(PubSub, Runs)))
        .WithDispatcher(EngineHost.ModelDispatcher);
}
