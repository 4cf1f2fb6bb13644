using System.Numerics;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Policy;

/// <summary>
/// RMSNorm, SiLU(gate)·up and the rotary embedding as single C# passes over CPU float32 memory, for inference in a
/// process whose libtorch runs one thread (as <see cref="DecodeAttention"/>). At decoding sizes each libtorch op costs
/// mostly its fixed overhead: RMSNorm is six ops and about 45 us on a [256, 256] batch, the gated SiLU two ops and about
/// 130 us, the rotation three ops and about 85 us, where one pass over the same memory takes a few microseconds
/// (docs/generation.md). Anything with a gradient to track, another dtype or device, or several libtorch threads
/// keeps the libtorch ops, which define the results these must match.
/// </summary>
public static unsafe class RowKernels
{
    /// <summary>Whether the C# passes serve these tensors: CPU float32, nothing to differentiate, one libtorch thread.</summary>
    public static bool Applies(params Tensor[] tensors)
    {
        if (get_num_threads() != 1) return false;
        bool tracking = is_grad_enabled();
        foreach (var t in tensors)
            if (t.device_type != TorchSharp.DeviceType.CPU || t.dtype != ScalarType.Float32 || (tracking && t.requires_grad))
                return false;
        return true;
    }

    /// <summary>x * rsqrt(mean(x²) + eps) * weight over the last axis; <paramref name="x"/> contiguous.</summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight, double eps)
    {
        int size = (int)x.shape[^1];
        long rows = x.numel() / size;
        var input = x.contiguous();
        var scale = weight.contiguous();
        TensorMemory.RequireContiguous(input, ScalarType.Float32, nameof(x));
        TensorMemory.RequireContiguous(scale, ScalarType.Float32, nameof(weight));
        if (scale.numel() != size) throw new ArgumentException($"RmsNorm: weight has {scale.numel()} elements for rows of {size}");
        var output = empty(x.shape, ScalarType.Float32);
        float* source = (float*)TensorMemory.Data(input), w = (float*)TensorMemory.Data(scale), target = (float*)TensorMemory.Data(output);
        int width = Vector<float>.Count;
        for (long r = 0; r < rows; r++, source += size, target += size)
        {
            var squares = Vector<float>.Zero;
            int i = 0;
            for (; i + width <= size; i += width)
            {
                var v = Vector.Load(source + i);
                squares = Vector.FusedMultiplyAdd(v, v, squares);
            }
            float sum = Vector.Sum(squares);
            for (; i < size; i++) sum += source[i] * source[i];
            float inverse = 1f / MathF.Sqrt(sum / size + (float)eps);
            var factor = new Vector<float>(inverse);
            i = 0;
            for (; i + width <= size; i += width) (Vector.Load(source + i) * factor * Vector.Load(w + i)).Store(target + i);
            for (; i < size; i++) target[i] = source[i] * inverse * w[i];
        }
        GC.KeepAlive(input);
        GC.KeepAlive(scale);
        return output;
    }

    /// <summary>
    /// silu(gate) * up, where <paramref name="gateUp"/> holds gate and up side by side on its last axis (the fused
    /// projection's output, [..., 2 * inner]); returns [..., inner].
    /// </summary>
    public static Tensor SiluTimesUp(Tensor gateUp)
    {
        int inner = (int)gateUp.shape[^1] / 2;
        long rows = gateUp.numel() / (2 * inner);
        var input = gateUp.contiguous();
        TensorMemory.RequireContiguous(input, ScalarType.Float32, nameof(gateUp));
        if (gateUp.shape[^1] % 2 != 0) throw new ArgumentException($"SiluTimesUp: the last axis ({gateUp.shape[^1]}) must hold gate and up halves");
        var shape = gateUp.shape.ToArray();
        shape[^1] = inner;
        var output = empty(shape, ScalarType.Float32);
        float* source = (float*)TensorMemory.Data(input), target = (float*)TensorMemory.Data(output);
        int width = Vector<float>.Count;
        var one = Vector<float>.One;
        for (long r = 0; r < rows; r++, source += 2 * inner, target += inner)
        {
            int i = 0;
            for (; i + width <= inner; i += width)
            {
                var g = Vector.Load(source + i);
                (g / (one + Vector.Exp(-g)) * Vector.Load(source + inner + i)).Store(target + i);
            }
            for (; i < inner; i++)
            {
                float g = source[i];
                target[i] = g / (1f + MathF.Exp(-g)) * source[inner + i];
            }
        }
        GC.KeepAlive(input);
        return output;
    }

    /// <summary>
    /// <see cref="RotaryEmbedding.Rotate"/>: x * cos + (x with its halves swapped) * sin, for x [batch, seq, heads,
    /// headDim] (any strides, the last axis contiguous) and tables [batch, seq, 1, headDim] (sin with its sign baked
    /// in). Returns a contiguous [batch, seq, heads, headDim].
    /// </summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long batch = x.shape[0], seq = x.shape[1];
        int heads = (int)x.shape[2], dim = (int)x.shape[3], half = dim / 2;
        var input = x.stride(3) == 1 ? x : x.contiguous();
        var c = cos.contiguous();
        var s = sin.contiguous();
        if (x.dtype != ScalarType.Float32 || input.stride(3) != 1) throw new ArgumentException("Rotate: x must be float32 with its last axis contiguous");
        TensorMemory.RequireContiguous(c, ScalarType.Float32, nameof(cos));
        TensorMemory.RequireContiguous(s, ScalarType.Float32, nameof(sin));
        long[] table = [batch, seq, 1, dim];
        if (!c.shape.SequenceEqual(table) || !s.shape.SequenceEqual(table))
            throw new ArgumentException($"Rotate: tables [{string.Join(", ", c.shape)}] and [{string.Join(", ", s.shape)}], expected [{string.Join(", ", table)}]");
        var output = empty([batch, seq, heads, dim], ScalarType.Float32);
        float* source = (float*)TensorMemory.Data(input), cosines = (float*)TensorMemory.Data(c), sines = (float*)TensorMemory.Data(s);
        float* target = (float*)TensorMemory.Data(output);
        long xb = input.stride(0), xs = input.stride(1), xh = input.stride(2);
        int width = Vector<float>.Count;
        for (long b = 0; b < batch; b++)
            for (long t = 0; t < seq; t++)
            {
                float* cr = cosines + (b * seq + t) * dim, sr = sines + (b * seq + t) * dim;
                for (int h = 0; h < heads; h++, target += dim)
                {
                    float* row = source + b * xb + t * xs + h * xh;
                    int i = 0;
                    // The first half pairs with the second and back; whole vectors when the half is a multiple of the width.
                    if (half % width == 0)
                        for (; i < dim; i += width)
                        {
                            int partner = i < half ? i + half : i - half;
                            (Vector.Load(row + i) * Vector.Load(cr + i) + Vector.Load(row + partner) * Vector.Load(sr + i)).Store(target + i);
                        }
                    for (; i < dim; i++) target[i] = row[i] * cr[i] + row[i < half ? i + half : i - half] * sr[i];
                }
            }
        GC.KeepAlive(input);
        GC.KeepAlive(c);
        GC.KeepAlive(s);
        return output;
    }
}
