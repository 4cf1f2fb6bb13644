using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Tests.Grpo;

/// <summary>Small float64 tensor builders for the loss tests.</summary>
internal static class LossTensors
{
    public static Tensor Matrix(double[,] values, bool requiresGrad = false)
    {
        var rows = values.GetLength(0);
        var cols = values.GetLength(1);
        var flat = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                flat[i * cols + j] = values[i, j];
            }
        }

        return tensor(flat, [rows, cols], ScalarType.Float64, requires_grad: requiresGrad);
    }

    public static Tensor Vector(params double[] values) => tensor(values, ScalarType.Float64);

    public static double[] Flat(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    public static double Scalar(Tensor t) => t.detach().to_type(ScalarType.Float64).item<double>();
}
