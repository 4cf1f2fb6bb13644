namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// Marker lines (<c>sampling step=N</c>, <c>update step=N</c>, <c>checkpoint step=N</c>, <c>applied step=N</c>) that
/// tests and the fault probes wait for; reported only when <c>r1.engine.markers</c> is on.
/// </summary>
internal sealed class EngineMarkers(bool enabled, Action<string>? sink)
{
    /// <summary>Reports nothing.</summary>
    public static EngineMarkers Off { get; } = new(false, null);

    /// <summary>Reports <paramref name="marker"/> when markers are on.</summary>
    public void Mark(string marker)
    {
        if (enabled) sink?.Invoke(marker);
    }
}
