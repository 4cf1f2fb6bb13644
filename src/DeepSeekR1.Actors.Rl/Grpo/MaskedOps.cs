using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// Reductions over the positions a mask selects (completion tokens, not prompt or padding).
/// Masked-out positions are replaced, not multiplied, so a NaN or infinity sitting in padding cannot leak into the result.
/// </summary>
public static class MaskedOps
{
    /// <summary>Sum of <paramref name="x"/> over the positions where <paramref name="mask"/> is non-zero.</summary>
    /// <param name="x">Values, any shape.</param>
    /// <param name="mask">Same shape as <paramref name="x"/>; bool, or numbers where non-zero means selected.</param>
    /// <returns>A scalar tensor of <paramref name="x"/>'s dtype.</returns>
    public static Tensor MaskedSum(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return x.masked_fill(Padding(mask), 0.0).sum().MoveToOuterDisposeScope();
    }

    /// <summary>Mean of <paramref name="x"/> over the selected positions; 0 when nothing is selected.</summary>
    /// <param name="x">Values, any shape.</param>
    /// <param name="mask">Same shape as <paramref name="x"/>; bool, or numbers where non-zero means selected.</param>
    /// <returns>A scalar tensor of <paramref name="x"/>'s dtype.</returns>
    public static Tensor MaskedMean(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var count = Selected(mask).to_type(x.dtype).sum().clamp_min(1.0);
        return (MaskedSum(x, mask) / count).MoveToOuterDisposeScope();
    }

    /// <summary>Mean of <paramref name="x"/> along <paramref name="dim"/> over the selected positions; 0 for a row with nothing selected.</summary>
    /// <param name="x">Values, any shape.</param>
    /// <param name="mask">Same shape as <paramref name="x"/>; bool, or numbers where non-zero means selected.</param>
    /// <param name="dim">The dimension to reduce (for [B, T] token tensors, 1 gives one mean per sequence).</param>
    /// <returns><paramref name="x"/>'s shape without <paramref name="dim"/>.</returns>
    public static Tensor MaskedMean(Tensor x, Tensor mask, long dim)
    {
        using var scope = NewDisposeScope();
        var sums = x.masked_fill(Padding(mask), 0.0).sum(dim);
        var counts = Selected(mask).to_type(x.dtype).sum(dim).clamp_min(1.0);
        return (sums / counts).MoveToOuterDisposeScope();
    }

    /// <summary>The mask as booleans: true where a position is selected.</summary>
    /// <param name="mask">A bool mask, or numbers where non-zero means selected.</param>
    /// <returns>A bool tensor of the same shape.</returns>
    public static Tensor Selected(Tensor mask) => mask.dtype == ScalarType.Bool ? mask.alias() : mask.ne(0);

    private static Tensor Padding(Tensor mask) => mask.dtype == ScalarType.Bool ? mask.logical_not() : mask.eq(0);
}
