using System.Numerics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Attention for one new query per row over a float32 or bfloat16 KV cache on the CPU, written directly against the
/// tensors' memory. A decoding step's attention is tiny arithmetic (a few query heads against a few hundred cached keys per
/// row) spread over many rows, so libtorch spends most of its time on fixed per-op costs: packing, dispatch, a
/// softmax kernel and a second matmul per layer (docs/generation.md). This does the whole thing in one pass per row
/// and key/value head. Keys come in <see cref="KvCache"/>'s layout, positions contiguous: scores are then
/// broadcast-multiply-adds over a block of keys held in registers, with no horizontal sum per key, for the group's
/// query heads two at a time so that every key read serves both. Values are summed the same way, one head at a time
/// over a block of the head dimension. The cache does not fit in the processor's caches, so the loops prefetch what
/// they read next. It runs on the calling thread. Anything else (GPU, other dtypes, autograd, other layouts)
/// takes <see cref="CausalSelfAttention"/>'s libtorch path, and so does a process whose libtorch runs several threads
/// (docs/generation.md has the measurements behind that choice).
/// </summary>
public static unsafe partial class DecodeAttention
{
    // Per-thread scratch for one row and key/value head: the group's scaled queries and their scores, grown as needed
    // (callers may sit on different threads: one tensor thread per process, but tests run in parallel).
    [ThreadStatic] private static float[]? scratch;

    // How far ahead to prefetch, in elements along each head-dimension row of keys (two blocks of 4 vectors) and in
    // positions of values; distances from 2 to 24 vectors and 2 to 16 positions measured the same (docs/generation.md).
    // The cache is far larger than the processor's caches, and a block of keys touches a cache line or two in each of
    // headDim rows, more streams than the hardware prefetcher follows.
    private const int KeyPrefetchVectors = 8;
    private const int ValuePrefetchPositions = 4;

    /// <summary>
    /// Whether this kernel can serve q [batch, heads, 1, headDim] against k, v [batch, kvHeads, keys, headDim]:
    /// CPU tensors with nothing to differentiate, a float32 query against a float32 or bfloat16 cache, the keys'
    /// positions contiguous (the cache's layout) and the values' head dimension contiguous.
    /// </summary>
    public static bool Applies(Tensor q, Tensor k, Tensor v, Tensor? mask) =>
        q.device_type == DeviceType.CPU && q.shape[2] == 1
        && q.dtype == ScalarType.Float32 && k.dtype is ScalarType.Float32 or ScalarType.BFloat16 && v.dtype == k.dtype
        && !(is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad))
        && k.stride(2) == 1 && v.stride(3) == 1
        && (mask is null || (mask.dtype == ScalarType.Bool && mask.dim() == 4 && mask.shape[0] == q.shape[0]
                             && mask.shape[1] == 1 && mask.shape[2] == 1 && mask.shape[3] == k.shape[2]));

    /// <summary>
    /// softmax(q k^T / sqrt(headDim)) v for each row and query head, query head h reading key/value head
    /// h / (heads / kvHeads). <paramref name="mask"/> is [batch, 1, 1, keys] (true = may attend) or null.
    /// Returns [batch, 1, heads * headDim], the layout the output projection reads.
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, int heads, int kvHeads, int headDim) =>
        Attend(q, k, v, mask, heads, kvHeads, headDim, allowWide: true);

    /// <summary><see cref="Attend(Tensor, Tensor, Tensor, Tensor?, int, int, int)"/>; tests pass
    /// <paramref name="allowWide"/> = false to run the 256-bit loops on a machine that has the 512-bit ones.</summary>
    internal static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, int heads, int kvHeads, int headDim, bool allowWide)
    {
        long batch = q.shape[0];
        int keys = (int)k.shape[2], group = heads / kvHeads;
        // Temporaries belong to the caller's dispose scope.
        var queries = q.stride(3) == 1 ? q : q.contiguous();
        var allowed = mask?.contiguous();
        var output = empty([batch, 1, heads * headDim], ScalarType.Float32);

        var layout = new Layout(
            (float*)TensorMemory.Data(queries), queries.stride(0), queries.stride(1),
            TensorMemory.Data(k), k.stride(0), k.stride(1), k.stride(3),
            TensorMemory.Data(v), v.stride(0), v.stride(1), v.stride(2),
            allowed is null ? null : (bool*)TensorMemory.Data(allowed),
            (float*)TensorMemory.Data(output),
            keys, group, kvHeads, headDim, 1f / MathF.Sqrt(headDim), batch, UsesWide(allowWide, headDim));

        if (k.dtype == ScalarType.BFloat16)
            for (long item = 0; item < batch * kvHeads; item++) AttendGroup<BFloat16Element>(layout, item);
        else
            for (long item = 0; item < batch * kvHeads; item++) AttendGroup<Float32Element>(layout, item);

        GC.KeepAlive(queries);
        GC.KeepAlive(allowed);
        GC.KeepAlive(k);
        GC.KeepAlive(v);
        return output;
    }

    // Where everything lives; strides in elements (the cache's element type is the kernel's type argument). Queries are [batch, heads, 1, headDim]; keys [batch, kvHeads, keys,
    // headDim] with positions contiguous (KDim steps along the head dimension); values [batch, kvHeads, keys, headDim];
    // the output [batch, heads * headDim].
    private readonly struct Layout(
        float* q, long qRow, long qHead,
        void* k, long kRow, long kHead, long kDim,
        void* v, long vRow, long vHead, long vPos,
        bool* mask, float* output,
        int keys, int group, int kvHeads, int headDim, float scale, long batch, bool wide)
    {
        public readonly bool Wide = wide;
        public readonly float* Q = q, Out = output;
        public readonly void* K = k, V = v;
        public readonly bool* Mask = mask;
        public readonly long QRow = qRow, QHead = qHead, KRow = kRow, KHead = kHead, KDim = kDim, VRow = vRow, VHead = vHead, VPos = vPos;
        public readonly int Keys = keys, Group = group, KvHeads = kvHeads, HeadDim = headDim;
        public readonly long Batch = batch;
        public readonly float Scale = scale;
    }

    // One row and one key/value head: its group of query heads, all keys.
    private static void AttendGroup<T>(in Layout l, long item) where T : unmanaged, ICacheElement<T>
    {
        long row = item / l.KvHeads;
        int kvHead = (int)(item % l.KvHeads), keys = l.Keys, group = l.Group, dim = l.HeadDim;
        T* kBase = (T*)l.K + row * l.KRow + kvHead * l.KHead;
        T* vBase = (T*)l.V + row * l.VRow + kvHead * l.VHead;
        float* outBase = l.Out + (row * l.KvHeads + kvHead) * (long)group * dim;
        bool* mask = l.Mask is null ? null : l.Mask + row * keys;

        // Each head's scores start on a whole vector and have room for a whole last vector, of either width.
        int stride = (keys + WideLanes - 1) / WideLanes * WideLanes;
        bool wide = l.Wide && typeof(T) == typeof(Float32Element);
        int need = group * (stride + dim);
        if (scratch is null || scratch.Length < need) scratch = new float[Math.Max(need, 2 * (scratch?.Length ?? 0))];
        fixed (float* work = scratch)
        {
            // The group's queries, scaled once here rather than every score.
            float* queries = work + group * stride;
            for (int g = 0; g < group; g++)
            {
                float* q = l.Q + row * l.QRow + (kvHead * group + g) * l.QHead;
                for (int d = 0; d < dim; d++) queries[g * dim + d] = q[d] * l.Scale;
            }

            int h = 0;
            for (; h + 2 <= group; h += 2)
                if (wide) ScoreTwoWide((float*)kBase, l.KDim, queries + h * dim, queries + (h + 1) * dim, dim, keys, work + h * stride, work + (h + 1) * stride);
                else ScoreTwo(kBase, l.KDim, queries + h * dim, queries + (h + 1) * dim, dim, keys, work + h * stride, work + (h + 1) * stride);
            if (h < group) ScoreOne(kBase, l.KDim, queries + h * dim, dim, keys, work + h * stride);

            // Softmax weights in place; every row can attend at least to its own new key, so each sum is positive.
            Span<float> inverse = stackalloc float[group];
            for (int g = 0; g < group; g++) inverse[g] = 1f / Softmax(work + g * stride, keys, stride, mask);

            // While this item's values stream in, start on the next item's keys, whose first blocks the score loop's
            // own prefetching does not reach.
            if (item + 1 < l.Batch * l.KvHeads) PrefetchFirstKeys<T>(l, item + 1);
            int head = 0;
            if (wide)
                for (; head + 2 <= group; head += 2)
                    WeighTwoWide((float*)vBase, l.VPos, work + head * stride, work + (head + 1) * stride, keys, dim,
                        outBase + head * dim, outBase + (head + 1) * dim, inverse[head], inverse[head + 1]);
            for (; head < group; head++) Weigh(vBase, l.VPos, work + head * stride, keys, dim, outBase + head * dim, inverse[head]);
        }
    }

    // The first 128 bytes (two 64-byte cache lines) of every head-dimension row of an item's keys: measured a little
    // faster than four lines or none (docs/generation.md, session 6).
    private static void PrefetchFirstKeys<T>(in Layout l, long item) where T : unmanaged
    {
        if (!Sse.IsSupported) return;
        T* keys = (T*)l.K + item / l.KvHeads * l.KRow + item % l.KvHeads * l.KHead;
        for (int d = 0; d < l.HeadDim; d++, keys += l.KDim)
        {
            byte* line = (byte*)keys;
            Sse.Prefetch0(line);
            Sse.Prefetch0(line + 64);
        }
    }

    // s0[j] = q0 . key j and s1[j] = q1 . key j, where key j's element d is at k[d * kDim + j]. Each block of keys is
    // held in registers while the head dimension is walked; every loaded key vector serves both queries.
    private static void ScoreTwo<T>(T* k, long kDim, float* q0, float* q1, int dim, int keys, float* s0, float* s1)
        where T : unmanaged, ICacheElement<T>
    {
        int width = Vector<float>.Count, j = 0;
        for (; j + 4 * width <= keys; j += 4 * width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector<float> b0 = default, b1 = default, b2 = default, b3 = default;
            T* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
            {
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(column + KeyPrefetchVectors * width);
                    Sse.Prefetch0(column + (KeyPrefetchVectors + 2) * width);
                }
                var x = new Vector<float>(q0[d]);
                var y = new Vector<float>(q1[d]);
                T.LoadTwo(column, out var k0, out var k1);
                T.LoadTwo(column + 2 * width, out var k2, out var k3);
                a0 = Vector.FusedMultiplyAdd(k0, x, a0);
                a1 = Vector.FusedMultiplyAdd(k1, x, a1);
                a2 = Vector.FusedMultiplyAdd(k2, x, a2);
                a3 = Vector.FusedMultiplyAdd(k3, x, a3);
                b0 = Vector.FusedMultiplyAdd(k0, y, b0);
                b1 = Vector.FusedMultiplyAdd(k1, y, b1);
                b2 = Vector.FusedMultiplyAdd(k2, y, b2);
                b3 = Vector.FusedMultiplyAdd(k3, y, b3);
            }
            a0.Store(s0 + j); a1.Store(s0 + j + width); a2.Store(s0 + j + 2 * width); a3.Store(s0 + j + 3 * width);
            b0.Store(s1 + j); b1.Store(s1 + j + width); b2.Store(s1 + j + 2 * width); b3.Store(s1 + j + 3 * width);
        }
        // The rest a vector at a time; the last one may be partial, written whole (the caller pads each head's scores
        // to whole vectors).
        for (; j < keys; j += width)
        {
            Vector<float> a = default, b = default;
            T* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
            {
                var key = T.LoadPartial(column, keys - j);
                a = Vector.FusedMultiplyAdd(key, new Vector<float>(q0[d]), a);
                b = Vector.FusedMultiplyAdd(key, new Vector<float>(q1[d]), b);
            }
            a.Store(s0 + j);
            b.Store(s1 + j);
        }
    }

    // The same for a single query (a group of odd size).
    private static void ScoreOne<T>(T* k, long kDim, float* q, int dim, int keys, float* s) where T : unmanaged, ICacheElement<T>
    {
        int width = Vector<float>.Count, j = 0;
        for (; j + 4 * width <= keys; j += 4 * width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            T* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
            {
                var x = new Vector<float>(q[d]);
                T.LoadTwo(column, out var k0, out var k1);
                T.LoadTwo(column + 2 * width, out var k2, out var k3);
                a0 = Vector.FusedMultiplyAdd(k0, x, a0);
                a1 = Vector.FusedMultiplyAdd(k1, x, a1);
                a2 = Vector.FusedMultiplyAdd(k2, x, a2);
                a3 = Vector.FusedMultiplyAdd(k3, x, a3);
            }
            a0.Store(s + j); a1.Store(s + j + width); a2.Store(s + j + 2 * width); a3.Store(s + j + 3 * width);
        }
        for (; j < keys; j += width)
        {
            Vector<float> a = default;
            T* column = k + j;
            for (int d = 0; d < dim; d++, column += kDim)
                a = Vector.FusedMultiplyAdd(T.LoadPartial(column, keys - j), new Vector<float>(q[d]), a);
            a.Store(s + j);
        }
    }

    // exp(s[j] - max) in place for the n scores, and their sum. The scores run on to a whole number of vectors
    // (padded, a multiple of Vector<float>.Count); those lanes become -inf, so both passes are whole vectors and the
    // padding gets weight zero.
    private static float Softmax(float* s, int n, int padded, bool* mask)
    {
        if (mask is not null)
            for (int j = 0; j < n; j++)
                if (!mask[j]) s[j] = float.NegativeInfinity;
        for (int j = n; j < padded; j++) s[j] = float.NegativeInfinity;

        int width = Vector<float>.Count;
        var highest = new Vector<float>(float.NegativeInfinity);
        for (int i = 0; i < padded; i += width) highest = Vector.Max(highest, Vector.Load(s + i));
        float top = highest[0];
        for (int lane = 1; lane < width; lane++) top = MathF.Max(top, highest[lane]);

        var shift = new Vector<float>(top);
        var acc = Vector<float>.Zero;
        for (int i = 0; i < padded; i += width)
        {
            var e = Vector.Exp(Vector.Load(s + i) - shift);
            e.Store(s + i);
            acc += e;
        }
        return Vector.Sum(acc);
    }

    // o = c * sum_j w[j] v_j, for one head. A block of 8 vectors of the head dimension (all of it at head size 64 and
    // 256-bit vectors) is held in registers while the keys are walked, so each value row streams through once as a
    // whole; measured faster than serving two heads from 4-vector blocks, which splits every row over two passes.
    private static void Weigh<T>(T* v, long vPos, float* w, int keys, int dim, float* o, float c) where T : unmanaged, ICacheElement<T>
    {
        int width = Vector<float>.Count, d = 0;
        for (; d + 8 * width <= dim; d += 8 * width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            T* value = v + d;
            for (int j = 0; j < keys; j++, value += vPos)
            {
                if (Sse.IsSupported) Sse.Prefetch0(value + ValuePrefetchPositions * vPos);
                var x = new Vector<float>(w[j]);
                T.LoadTwo(value, out var v0, out var v1);
                T.LoadTwo(value + 2 * width, out var v2, out var v3);
                T.LoadTwo(value + 4 * width, out var v4, out var v5);
                T.LoadTwo(value + 6 * width, out var v6, out var v7);
                a0 = Vector.FusedMultiplyAdd(v0, x, a0);
                a1 = Vector.FusedMultiplyAdd(v1, x, a1);
                a2 = Vector.FusedMultiplyAdd(v2, x, a2);
                a3 = Vector.FusedMultiplyAdd(v3, x, a3);
                a4 = Vector.FusedMultiplyAdd(v4, x, a4);
                a5 = Vector.FusedMultiplyAdd(v5, x, a5);
                a6 = Vector.FusedMultiplyAdd(v6, x, a6);
                a7 = Vector.FusedMultiplyAdd(v7, x, a7);
            }
            (a0 * c).Store(o + d); (a1 * c).Store(o + d + width); (a2 * c).Store(o + d + 2 * width); (a3 * c).Store(o + d + 3 * width);
            (a4 * c).Store(o + d + 4 * width); (a5 * c).Store(o + d + 5 * width); (a6 * c).Store(o + d + 6 * width); (a7 * c).Store(o + d + 7 * width);
        }
        // Head size 32 with 256-bit vectors (the shipped base-tiny): half the block, still one pass over each row.
        for (; d + 4 * width <= dim; d += 4 * width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            T* value = v + d;
            for (int j = 0; j < keys; j++, value += vPos)
            {
                if (Sse.IsSupported) Sse.Prefetch0(value + ValuePrefetchPositions * vPos);
                var x = new Vector<float>(w[j]);
                T.LoadTwo(value, out var v0, out var v1);
                T.LoadTwo(value + 2 * width, out var v2, out var v3);
                a0 = Vector.FusedMultiplyAdd(v0, x, a0);
                a1 = Vector.FusedMultiplyAdd(v1, x, a1);
                a2 = Vector.FusedMultiplyAdd(v2, x, a2);
                a3 = Vector.FusedMultiplyAdd(v3, x, a3);
            }
            (a0 * c).Store(o + d); (a1 * c).Store(o + d + width); (a2 * c).Store(o + d + 2 * width); (a3 * c).Store(o + d + 3 * width);
        }
        for (; d + width <= dim; d += width)
        {
            Vector<float> a = default;
            T* value = v + d;
            for (int j = 0; j < keys; j++, value += vPos)
                a = Vector.FusedMultiplyAdd(T.LoadOne(value), new Vector<float>(w[j]), a);
            (a * c).Store(o + d);
        }
        for (; d < dim; d++) o[d] = c * ScalarWeighted(v + d, vPos, w, keys);
    }

    private static float ScalarWeighted<T>(T* value, long vPos, float* w, int keys) where T : unmanaged, ICacheElement<T>
    {
        float sum = 0;
        for (int j = 0; j < keys; j++) sum += w[j] * T.ToSingle(value[j * vPos]);
        return sum;
    }
}
