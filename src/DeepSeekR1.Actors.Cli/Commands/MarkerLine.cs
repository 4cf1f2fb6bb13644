namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// How <c>r1 train</c> and <c>r1 node</c> print the engine's marker lines (<c>r1.engine.markers = on</c>):
/// <c>r1-engine: update step=3 at=1764880000123</c>, the wall clock in Unix milliseconds last, so that the logs of
/// several nodes can be laid on one time line (cluster/bench-async.sh adds up each node's busy time from them).
/// </summary>
internal static class MarkerLine
{
    /// <summary>The line for <paramref name="marker"/>, stamped now.</summary>
    public static string Of(string marker) => $"r1-engine: {marker} at={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
}
