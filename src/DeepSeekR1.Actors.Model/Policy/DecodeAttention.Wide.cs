using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// The 512-bit loops of <see cref="DecodeAttention"/>, for a float32 cache on processors whose 512-bit vectors run at
/// full width (Vector512.IsHardwareAccelerated; AVX-512 on recent AMD and Intel server parts). .NET keeps
/// <c>Vector&lt;float&gt;</c> at 256 bits there, so the generic loops would use half of each FMA. Wider vectors halve
/// the instructions per key, and they change what fits in the 32 vector registers: a whole 64-wide row of values is
/// four registers, so both heads of a pair sum their weighted values in one pass over the rows, each value load serving
/// both (the 256-bit loops need a pass per head). docs/generation.md has the measurements.
/// </summary>
public static unsafe partial class DecodeAttention
{
    private static readonly int WideLanes = Vector512<float>.Count;

    /// <summary>Whether this process runs the 512-bit loops where they apply (float32 cache, head size a multiple of 16).</summary>
    public static bool WideVectors { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    private static bool UsesWide(bool allowWide, int headDim) => allowWide && WideVectors && headDim % WideLanes == 0;

    // ScoreTwo's loop with 512-bit vectors: blocks of 64 keys, then 16, then a masked tail.
    private static void ScoreTwoWide(float* k, long kDim, float* q0, float* q1, int dim, int keys, float* s0, float* s1)
    {
        int j = 0;
        for (; j + 4 * WideLanes <= keys; j += 4 * WideLanes)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            float* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
            {
                // The same row's next block: four cache lines.
                Sse.Prefetch0(column + 4 * WideLanes);
                Sse.Prefetch0(column + 5 * WideLanes);
                Sse.Prefetch0(column + 6 * WideLanes);
                Sse.Prefetch0(column + 7 * WideLanes);
                var x = Vector512.Create(q0[d]);
                var y = Vector512.Create(q1[d]);
                var k0 = Vector512.Load(column);
                var k1 = Vector512.Load(column + WideLanes);
                var k2 = Vector512.Load(column + 2 * WideLanes);
                var k3 = Vector512.Load(column + 3 * WideLanes);
                a0 = Vector512.FusedMultiplyAdd(k0, x, a0);
                a1 = Vector512.FusedMultiplyAdd(k1, x, a1);
                a2 = Vector512.FusedMultiplyAdd(k2, x, a2);
                a3 = Vector512.FusedMultiplyAdd(k3, x, a3);
                b0 = Vector512.FusedMultiplyAdd(k0, y, b0);
                b1 = Vector512.FusedMultiplyAdd(k1, y, b1);
                b2 = Vector512.FusedMultiplyAdd(k2, y, b2);
                b3 = Vector512.FusedMultiplyAdd(k3, y, b3);
            }
            a0.Store(s0 + j); a1.Store(s0 + j + WideLanes); a2.Store(s0 + j + 2 * WideLanes); a3.Store(s0 + j + 3 * WideLanes);
            b0.Store(s1 + j); b1.Store(s1 + j + WideLanes); b2.Store(s1 + j + 2 * WideLanes); b3.Store(s1 + j + 3 * WideLanes);
        }
        for (; j < keys; j += WideLanes)
        {
            // A masked load reads only the keys that exist; the caller pads each head's scores to whole vectors.
            var mask = Vector512.LessThan(LaneIndices, Vector512.Create(keys - j)).AsSingle();
            Vector512<float> a = default, b = default;
            float* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
            {
                var key = Avx512F.MaskLoad(column, mask, Vector512<float>.Zero);
                a = Vector512.FusedMultiplyAdd(key, Vector512.Create(q0[d]), a);
                b = Vector512.FusedMultiplyAdd(key, Vector512.Create(q1[d]), b);
            }
            a.Store(s0 + j);
            b.Store(s1 + j);
        }
    }

    private static readonly Vector512<int> LaneIndices = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    // o0 = c0 * sum_j w0[j] v_j and o1 = c1 * sum_j w1[j] v_j: two heads that share their values, in one pass over
    // the rows, a block of up to four vectors (64 floats) of the head dimension at a time.
    private static void WeighTwoWide(float* v, long vPos, float* w0, float* w1, int keys, int dim, float* o0, float* o1, float c0, float c1)
    {
        int d = 0;
        for (; d + 4 * WideLanes <= dim; d += 4 * WideLanes)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            float* value = v + d;
            for (int j = 0; j < keys; j++, value += vPos)
            {
                Sse.Prefetch0(value + ValuePrefetchPositions * vPos);
                Sse.Prefetch0(value + ValuePrefetchPositions * vPos + 2 * WideLanes);
                var x = Vector512.Create(w0[j]);
                var y = Vector512.Create(w1[j]);
                var v0 = Vector512.Load(value);
                var v1 = Vector512.Load(value + WideLanes);
                var v2 = Vector512.Load(value + 2 * WideLanes);
                var v3 = Vector512.Load(value + 3 * WideLanes);
                a0 = Vector512.FusedMultiplyAdd(v0, x, a0);
                a1 = Vector512.FusedMultiplyAdd(v1, x, a1);
                a2 = Vector512.FusedMultiplyAdd(v2, x, a2);
                a3 = Vector512.FusedMultiplyAdd(v3, x, a3);
                b0 = Vector512.FusedMultiplyAdd(v0, y, b0);
                b1 = Vector512.FusedMultiplyAdd(v1, y, b1);
                b2 = Vector512.FusedMultiplyAdd(v2, y, b2);
                b3 = Vector512.FusedMultiplyAdd(v3, y, b3);
            }
            (a0 * c0).Store(o0 + d); (a1 * c0).Store(o0 + d + WideLanes); (a2 * c0).Store(o0 + d + 2 * WideLanes); (a3 * c0).Store(o0 + d + 3 * WideLanes);
            (b0 * c1).Store(o1 + d); (b1 * c1).Store(o1 + d + WideLanes); (b2 * c1).Store(o1 + d + 2 * WideLanes); (b3 * c1).Store(o1 + d + 3 * WideLanes);
        }
        for (; d < dim; d += WideLanes)
        {
            Vector512<float> a = default, b = default;
            float* value = v + d;
            for (int j = 0; j < keys; j++, value += vPos)
            {
                var row = Vector512.Load(value);
                a = Vector512.FusedMultiplyAdd(row, Vector512.Create(w0[j]), a);
                b = Vector512.FusedMultiplyAdd(row, Vector512.Create(w1[j]), b);
            }
            (a * c0).Store(o0 + d);
            (b * c1).Store(o1 + d);
        }
    }
}
