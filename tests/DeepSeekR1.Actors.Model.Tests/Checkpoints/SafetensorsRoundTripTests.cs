using System.Buffers.Binary;
using DeepSeekR1.Actors.Model.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    private static Dictionary<string, Tensor> SampleTensors() => new()
    {
        ["model.embed_tokens.weight"] = randn(17, 8),
        ["model.layers.0.self_attn.q_proj.bias"] = randn(8),
        ["model.norm.weight"] = rand(8) + 0.5f,
        ["scalar"] = tensor(3.25f),
    };

    [Fact]
    public void F32_round_trip_is_bit_exact_and_keeps_names_shapes_and_metadata()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var tensors = SampleTensors();
        var path = dir.File("a.safetensors");
        SafetensorsWriter.Write(path, tensors, metadata: new Dictionary<string, string> { ["step"] = "12" });

        var header = SafetensorsReader.ReadHeader(path);
        Assert.Equal("12", header.Metadata["step"]);
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal(0, header.DataStart % 8);

        var read = SafetensorsReader.Read(path);
        Assert.Equal(tensors.Keys.Order(), read.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(ScalarType.Float32, read[name].dtype);
            Assert.Equal(original.shape, read[name].shape);
            Assert.True(original.bytes.SequenceEqual(read[name].bytes), $"{name} differs after the round trip");
        }
    }

    [Theory]
    [InlineData(SafetensorsDType.BF16, ScalarType.BFloat16, 1.0 / 256)]
    [InlineData(SafetensorsDType.F16, ScalarType.Float16, 1.0 / 2048)]
    public void Half_precision_round_trip_is_within_the_dtype_rounding(SafetensorsDType storeAs, ScalarType expected, double unitRoundoff)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        // Magnitudes kept in half precision's normal range, where its relative error is bounded by the unit roundoff.
        var original = (rand(64, 32) + 0.1f) * randn(64, 32).sign();
        var path = dir.File("h.safetensors");
        SafetensorsWriter.Write(path, [new("w", original)], storeAs);

        Assert.Equal(storeAs, SafetensorsReader.ReadHeader(path).Tensors.Single().DType);
        var read = SafetensorsReader.Read(path)["w"];
        Assert.Equal(expected, read.dtype);
        var relative = ((read.to(ScalarType.Float32) - original).abs() / original.abs()).max().item<float>();
        Assert.InRange(relative, 0, unitRoundoff);
        Assert.True(relative > 0, "converting random floats to half precision should round some of them");
    }

    [Fact]
    public void Bf16_bytes_are_the_rounded_top_half_of_the_f32_bits()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        // The first four are exact in bfloat16 (low 16 bits zero); the last two need rounding to nearest even.
        float[] values = [1.0f, -2.5f, 0.15625f, 65536.0f, 1.00390625f, 1.01171875f];
        var path = dir.File("b.safetensors");
        SafetensorsWriter.Write(path, [new("v", tensor(values))], SafetensorsDType.BF16);

        var bytes = File.ReadAllBytes(path);
        var dataStart = (int)SafetensorsReader.ReadHeader(path).DataStart;
        for (var i = 0; i < values.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(values[i]);
            var lsb = (bits >> 16) & 1;
            var expected = (ushort)((bits + 0x7FFF + lsb) >> 16);
            var stored = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(dataStart + 2 * i, 2));
            Assert.Equal(expected, stored);
            if ((bits & 0xFFFF) == 0) Assert.Equal((ushort)(bits >> 16), stored);
        }
        // 1.00390625 is exactly halfway between 1.0 and 1.0078125: ties go to the even mantissa (1.0).
        Assert.Equal((ushort)0x3F80, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(dataStart + 8, 2)));
    }

    [Fact]
    public void Integer_tensors_keep_their_type_even_when_a_float_store_dtype_is_asked_for()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, -7, long.MaxValue });
        var counts = tensor(new int[] { 4, 5 });
        var path = dir.File("i.safetensors");
        SafetensorsWriter.Write(path, [new("ids", ids), new("counts", counts)], SafetensorsDType.BF16);

        var read = SafetensorsReader.Read(path);
        Assert.Equal(ScalarType.Int64, read["ids"].dtype);
        Assert.Equal(new long[] { 1, -7, long.MaxValue }, read["ids"].data<long>().ToArray());
        Assert.Equal(new[] { 4, 5 }, read["counts"].data<int>().ToArray());
    }

    [Fact]
    public void Non_contiguous_and_empty_tensors_are_written_as_their_logical_values()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var matrix = arange(12, dtype: ScalarType.Float32).reshape(3, 4);
        var transposed = matrix.t();
        var path = dir.File("t.safetensors");
        SafetensorsWriter.Write(path, [new("t", transposed), new("none", zeros(0, 5))]);

        var read = SafetensorsReader.Read(path);
        Assert.Equal(new long[] { 4, 3 }, read["t"].shape);
        Assert.True(read["t"].eq(transposed).all().item<bool>());
        Assert.Equal(new long[] { 0, 5 }, read["none"].shape);
    }

    [Fact]
    public void Read_with_a_filter_loads_only_the_chosen_tensors()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var path = dir.File("f.safetensors");
        SafetensorsWriter.Write(path, SampleTensors());

        var read = SafetensorsReader.Read(path, name => name.StartsWith("model.norm", StringComparison.Ordinal));
        Assert.Equal(["model.norm.weight"], read.Keys);
    }

    [Fact]
    public void Duplicate_names_are_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var path = dir.File("d.safetensors");
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("x", ones(2)), new("x", ones(2))]));
        Assert.False(File.Exists(path));
    }
}
