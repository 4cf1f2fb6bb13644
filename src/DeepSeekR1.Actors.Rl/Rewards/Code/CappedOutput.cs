using System.Text;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>Collects a run's stdout and stderr up to a byte cap; signals when the cap is passed.</summary>
internal sealed class CappedOutput(int capBytes)
{
    private readonly MemoryStream buffer = new();
    private readonly TaskCompletionSource overLimit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when more than the cap was written.</summary>
    public Task OverLimit => overLimit.Task;

    /// <summary>Reads <paramref name="stream"/> to its end, keeping at most the cap over all streams.</summary>
    public async Task PumpAsync(Stream stream)
    {
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                lock (buffer)
                {
                    int room = (int)Math.Max(0, capBytes - buffer.Length);
                    buffer.Write(chunk, 0, Math.Min(room, read));
                    if (read > room)
                    {
                        overLimit.TrySetResult();
                        return; // the run is killed; nothing more is read
                    }
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>What was kept, as UTF-8 text (invalid bytes replaced).</summary>
    public string Text()
    {
        lock (buffer) return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
