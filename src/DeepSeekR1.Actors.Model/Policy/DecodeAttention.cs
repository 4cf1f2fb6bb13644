using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// Attention for one new query per row over a float32 KV cache on the CPU, written directly against the tensors'
/// memory. A decoding step's attention is tiny arithmetic (a few query heads against a few hundred cached keys per
/// row) spread over many rows, so libtorch spends most of its time on fixed per-op costs: packing, dispatch, a
/// softmax kernel and a second matmul per layer (docs/generation.md). This does the whole thing in one pass per row
/// and key/value head: the group's query heads score every key as it is read, and the same keys' values are read
/// once for all of them. It runs on the calling thread. Anything else (GPU, other dtypes, autograd) takes
/// <see cref="CausalSelfAttention"/>'s libtorch path, and so does a process whose libtorch runs several threads
/// (docs/generation.md has the measurements behind that choice).
/// </summary>
public static unsafe class DecodeAttention
{
    // The tensor's first element, storage offset included (LibTorchSharp's accessor for Tensor.data_ptr()).
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    // Per-thread scratch for the scores of one row and key/value head: group x keys floats, grown as needed
    // (callers may sit on different threads: one tensor thread per process, but tests run in parallel).
    [ThreadStatic] private static float[]? scratch;

    /// <summary>
    /// Whether this kernel can serve q [batch, heads, 1, headDim] against k, v [batch, kvHeads, keys, headDim]:
    /// float32 CPU tensors whose last axis is contiguous, with nothing to differentiate.
    /// </summary>
    public static bool Applies(Tensor q, Tensor k, Tensor v, Tensor? mask) =>
        q.device_type == DeviceType.CPU && q.shape[2] == 1
        && q.dtype == ScalarType.Float32 && k.dtype == ScalarType.Float32 && v.dtype == ScalarType.Float32
        && !(is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad))
        && k.stride(3) == 1 && v.stride(3) == 1
        && (mask is null || (mask.dtype == ScalarType.Bool && mask.dim() == 4 && mask.shape[0] == q.shape[0]
                             && mask.shape[1] == 1 && mask.shape[2] == 1 && mask.shape[3] == k.shape[2]));

    /// <summary>
    /// softmax(q k^T / sqrt(headDim)) v for each row and query head, query head h reading key/value head
    /// h / (heads / kvHeads). <paramref name="mask"/> is [batch, 1, 1, keys] (true = may attend) or null.
    /// Returns [batch, 1, heads * headDim], the layout the output projection reads.
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, int heads, int kvHeads, int headDim)
    {
        long batch = q.shape[0];
        int keys = (int)k.shape[2], group = heads / kvHeads;
        // Temporaries belong to the caller's dispose scope.
        var queries = q.stride(3) == 1 ? q : q.contiguous();
        var allowed = mask?.contiguous();
        var output = empty([batch, 1, heads * headDim], ScalarType.Float32);

        var layout = new Layout(
            (float*)THSTensor_data(queries.Handle), queries.stride(0), queries.stride(1),
            (float*)THSTensor_data(k.Handle), k.stride(0), k.stride(1), k.stride(2),
            (float*)THSTensor_data(v.Handle), v.stride(0), v.stride(1), v.stride(2),
            allowed is null ? null : (bool*)THSTensor_data(allowed.Handle),
            (float*)THSTensor_data(output.Handle),
            keys, group, kvHeads, headDim, 1f / MathF.Sqrt(headDim));

        for (long item = 0; item < batch * kvHeads; item++) AttendGroup(layout, item);

        GC.KeepAlive(queries);
        GC.KeepAlive(allowed);
        GC.KeepAlive(k);
        GC.KeepAlive(v);
        return output;
    }

    // Where everything lives; strides in elements. Queries are [batch, heads, 1, headDim]; keys and values
    // [batch, kvHeads, keys, headDim]; the output [batch, heads * headDim].
    private readonly struct Layout(
        float* q, long qRow, long qHead,
        float* k, long kRow, long kHead, long kPos,
        float* v, long vRow, long vHead, long vPos,
        bool* mask, float* output,
        int keys, int group, int kvHeads, int headDim, float scale)
    {
        public readonly float* Q = q, K = k, V = v, Out = output;
        public readonly bool* Mask = mask;
        public readonly long QRow = qRow, QHead = qHead, KRow = kRow, KHead = kHead, KPos = kPos, VRow = vRow, VHead = vHead, VPos = vPos;
        public readonly int Keys = keys, Group = group, KvHeads = kvHeads, HeadDim = headDim;
        public readonly float Scale = scale;
    }

    // One row and one key/value head: its group of query heads, all keys.
    private static void AttendGroup(in Layout l, long item)
    {
        long row = item / l.KvHeads;
        int kvHead = (int)(item % l.KvHeads), keys = l.Keys, group = l.Group, dim = l.HeadDim;
        float* kBase = l.K + row * l.KRow + kvHead * l.KHead;
        float* vBase = l.V + row * l.VRow + kvHead * l.VHead;
        bool* mask = l.Mask is null ? null : l.Mask + row * keys;

        int need = group * keys;
        if (scratch is null || scratch.Length < need) scratch = new float[Math.Max(need, 2 * (scratch?.Length ?? 0))];
        fixed (float* scores = scratch)
        {
            // Scores, and each query head's largest for a stable softmax.
            Span<float> largest = stackalloc float[group];
            largest.Fill(float.NegativeInfinity);
            for (int j = 0; j < keys; j++)
            {
                float* key = kBase + j * l.KPos;
                bool open = mask is null || mask[j];
                for (int g = 0; g < group; g++)
                {
                    float s = open ? Dot(l.Q + row * l.QRow + (kvHead * group + g) * l.QHead, key, dim) * l.Scale : float.NegativeInfinity;
                    scores[g * keys + j] = s;
                    if (s > largest[g]) largest[g] = s;
                }
            }

            // Softmax weights in place; every row can attend at least to its own new key, so each sum is positive.
            Span<float> total = stackalloc float[group];
            for (int g = 0; g < group; g++) total[g] = ExpShiftedSum(scores + g * keys, keys, largest[g]);

            // Weighted values: each value vector is read once for the whole group.
            for (int g = 0; g < group; g++)
                new Span<float>(l.Out + row * (long)l.KvHeads * group * dim + (kvHead * group + g) * dim, dim).Clear();
            for (int j = 0; j < keys; j++)
            {
                float* value = vBase + j * l.VPos;
                for (int g = 0; g < group; g++)
                {
                    float w = scores[g * keys + j];
                    if (w != 0) Axpy(w, value, l.Out + row * (long)l.KvHeads * group * dim + (kvHead * group + g) * dim, dim);
                }
            }
            for (int g = 0; g < group; g++)
                Scale(1f / total[g], l.Out + row * (long)l.KvHeads * group * dim + (kvHead * group + g) * dim, dim);
        }
    }

    // s[j] = exp(s[j] - top) in place, returning their sum; a closed key (-inf) becomes 0.
    private static float ExpShiftedSum(float* s, int n, float top)
    {
        int width = Vector<float>.Count, j = 0;
        var shift = new Vector<float>(top);
        var acc = Vector<float>.Zero;
        for (; j <= n - width; j += width)
        {
            var e = Vector.Exp(Vector.Load(s + j) - shift);
            e.Store(s + j);
            acc += e;
        }
        float sum = Vector.Sum(acc);
        for (; j < n; j++) sum += s[j] = MathF.Exp(s[j] - top);
        return sum;
    }

    private static float Dot(float* a, float* b, int n)
    {
        int width = Vector<float>.Count, i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= n - width; i += width)
            acc += Vector.Load(a + i) * Vector.Load(b + i);
        float sum = Vector.Sum(acc);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    // y += w * x
    private static void Axpy(float w, float* x, float* y, int n)
    {
        int width = Vector<float>.Count, i = 0;
        var weight = new Vector<float>(w);
        for (; i <= n - width; i += width)
            (Vector.Load(y + i) + weight * Vector.Load(x + i)).Store(y + i);
        for (; i < n; i++) y[i] += w * x[i];
    }

    private static void Scale(float w, float* y, int n)
    {
        for (int i = 0; i < n; i++) y[i] *= w;
    }
}
