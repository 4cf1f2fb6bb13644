using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// How <see cref="DecodeAttention"/> reads one element type of a KV cache: as float32 vectors, whatever the storage.
/// The kernel is generic over this, so each storage type gets its own compiled loops with the conversion inlined.
/// </summary>
internal unsafe interface ICacheElement<TSelf> where TSelf : unmanaged, ICacheElement<TSelf>
{
    /// <summary>Reads 2 x <c>Vector&lt;float&gt;.Count</c> consecutive elements as two float vectors.</summary>
    static abstract void LoadTwo(TSelf* source, out Vector<float> low, out Vector<float> high);

    /// <summary>Reads <c>Vector&lt;float&gt;.Count</c> consecutive elements, and no more, as a float vector.</summary>
    static abstract Vector<float> LoadOne(TSelf* source);

    /// <summary>
    /// Reads min(<paramref name="count"/>, <c>Vector&lt;float&gt;.Count</c>) consecutive elements as the first lanes
    /// of a float vector, zeros after them, without touching memory past them: a row of keys up to its end.
    /// </summary>
    static abstract Vector<float> LoadPartial(TSelf* source, int count);

    /// <summary>One element as a float.</summary>
    static abstract float ToSingle(TSelf element);
}

// The element structs are only ever read through pointers into tensor memory, never constructed or assigned.
#pragma warning disable CS0649

/// <summary>A float32 cache element.</summary>
internal readonly unsafe struct Float32Element : ICacheElement<Float32Element>
{
    private readonly float value;

    public static void LoadTwo(Float32Element* source, out Vector<float> low, out Vector<float> high)
    {
        low = Vector.Load((float*)source);
        high = Vector.Load((float*)source + Vector<float>.Count);
    }

    public static Vector<float> LoadOne(Float32Element* source) => Vector.Load((float*)source);

    public static Vector<float> LoadPartial(Float32Element* source, int count)
    {
        if (count >= Vector<float>.Count) return Vector.Load((float*)source);
        // A masked load never reads (or faults on) the lanes it leaves out.
        if (Avx.IsSupported && Vector<float>.Count == Vector256<float>.Count)
        {
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            var mask = Vector256.LessThan(lanes, Vector256.Create(count)).AsSingle();
            return Avx.MaskLoad((float*)source, mask).AsVector();
        }
        return CacheLanes.Widen(source, count);
    }

    public static float ToSingle(Float32Element element) => element.value;
}

/// <summary>
/// A bfloat16 cache element: the upper 16 bits of a float32, so widening is a shift. Half the bytes of float32, which
/// is what a decoding step's attention is bound by.
/// </summary>
internal readonly unsafe struct BFloat16Element : ICacheElement<BFloat16Element>
{
    private readonly ushort bits;

    public static void LoadTwo(BFloat16Element* source, out Vector<float> low, out Vector<float> high)
    {
        Vector.Widen(Vector.Load((ushort*)source), out Vector<uint> lower, out Vector<uint> upper);
        low = Vector.AsVectorSingle(Vector.ShiftLeft(lower, 16));
        high = Vector.AsVectorSingle(Vector.ShiftLeft(upper, 16));
    }

    // A whole Vector<ushort> would read past the block; these run only in tails.
    public static Vector<float> LoadOne(BFloat16Element* source) => CacheLanes.Widen(source, Vector<float>.Count);

    public static Vector<float> LoadPartial(BFloat16Element* source, int count) => CacheLanes.Widen(source, count);

    public static float ToSingle(BFloat16Element element) => BitConverter.UInt32BitsToSingle((uint)element.bits << 16);
}

#pragma warning restore CS0649

/// <summary>Element-by-element reads, for tails the vector loads cannot serve.</summary>
internal static unsafe class CacheLanes
{
    /// <summary>The first min(<paramref name="count"/>, <c>Vector&lt;float&gt;.Count</c>) elements as float lanes, zeros after them.</summary>
    public static Vector<float> Widen<T>(T* source, int count) where T : unmanaged, ICacheElement<T>
    {
        float* widened = stackalloc float[Vector<float>.Count];
        for (int i = 0; i < Vector<float>.Count; i++) widened[i] = i < count ? T.ToSingle(source[i]) : 0f;
        return Vector.Load(widened);
    }
}
