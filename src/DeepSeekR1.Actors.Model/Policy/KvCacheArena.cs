using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Memory that successive generations' <see cref="KvCache"/>s are carved from, kept between them. A sampler generates
/// batch after batch of the same shape; a cache allocated afresh each time is hundreds of megabytes at batch 256 that
/// the C library maps, the kernel faults in and zeroes page by page, and the next generation pays for again
/// (docs/generation.md measures it). Serving engines preallocate their KV cache once for the same reason. The arena
/// grows to the largest cache asked of it and never shrinks; <see cref="Release"/> or disposing it gives the memory back.
/// Not thread-safe: one generation at a time, as <see cref="Sampling.PolicyGenerator"/> already requires of the model.
/// </summary>
public sealed class KvCacheArena : IDisposable
{
    private Tensor? storage;

    /// <summary>Elements held (0 before the first cache).</summary>
    public long Capacity => storage?.numel() ?? 0;

    /// <summary>
    /// A flat, contiguous run of <paramref name="elements"/> elements of <paramref name="dtype"/> on
    /// <paramref name="device"/>, as a view of the arena's memory: valid until the next call, <see cref="Release"/> or
    /// disposal. What it holds is whatever the previous cache left there (zeros the first time).
    /// </summary>
    public Tensor Rent(long elements, ScalarType dtype, Device device)
    {
        if (storage is null || storage.dtype != dtype || storage.device_type != device.type
            || storage.device_index != device.index || storage.numel() < elements)
        {
            Release();
            // Zeroed once, so every element is a finite number even where no cache has written yet.
            using (NewDisposeScope()) storage = zeros(elements, dtype, device).DetachFromDisposeScope();
        }
        return storage.narrow(0, 0, elements);
    }

    /// <summary>Gives the memory back; the next <see cref="Rent"/> allocates again.</summary>
    public void Release()
    {
        storage?.Dispose();
        storage = null;
    }

    /// <inheritdoc />
    public void Dispose() => Release();
}
