namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Tests that change the tensor threads' libtorch thread counts (an engine with <c>r1.engine.tensor-threads = 2</c>
/// splits the cores between two threads while it runs), and tests whose exact comparisons depend on every tensor thread
/// keeping one count for the whole test (two engine runs compared to the last float): they run alone, after the
/// parallel ones. libtorch sets a new thread's count from the last process-wide value, so a run beside them could
/// start its threads with another count, and a different split of each reduction changes the last bits.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadCounts
{
    public const string Name = "libtorch thread counts";
}
