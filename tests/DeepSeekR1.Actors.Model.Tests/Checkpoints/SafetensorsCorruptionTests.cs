using System.Buffers.Binary;
using System.Text;
using DeepSeekR1.Actors.Model.Checkpoints;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class SafetensorsCorruptionTests
{
    /// <summary>Writes a file by hand: length prefix, the given header text, then <paramref name="dataBytes"/> bytes.</summary>
    private static string Raw(TempDirectory dir, string header, int dataBytes, ulong? declaredLength = null)
    {
        var path = dir.File("raw.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static CheckpointException Fails(string path)
    {
        var error = Assert.Throws<CheckpointException>(() => SafetensorsReader.Read(path));
        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message);
        return error;
    }

    [Fact]
    public void A_valid_hand_written_file_reads()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 2 }, SafetensorsReader.Read(path)["a"].shape);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Fails(path).Problem);
    }

    [Fact]
    public void Header_length_past_the_end_of_the_file()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, declaredLength: 1_000_000);
        Assert.Contains("header length 1000000 runs past the end of the file", Fails(path).Problem);
    }

    [Fact]
    public void Header_that_is_not_json()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32",""", 0);
        Assert.Contains("not valid JSON", Fails(path).Problem);
    }

    [Fact]
    public void Unknown_dtype()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 2);
        Assert.Contains("tensor 'a': unknown dtype 'F8_E4M3'", Fails(path).Problem);
    }

    [Fact]
    public void Offsets_that_do_not_match_shape_times_dtype()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}}""", 8);
        Assert.Contains("hold 8 bytes but shape [2, 3] of BF16 needs 12", Fails(path).Problem);
    }

    [Fact]
    public void Overlapping_tensors()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
             "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """, 12);
        Assert.Contains("overlap tensor 'a'", Fails(path).Problem);
    }

    [Fact]
    public void Offsets_that_leave_a_gap()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);
        Assert.Contains("gap", Fails(path).Problem);
    }

    [Fact]
    public void Offsets_out_of_order_or_backwards()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8);
        Assert.Contains("begin <= end", Fails(path).Problem);
    }

    [Fact]
    public void Truncated_data()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var path = dir.File("cut.safetensors");
        SafetensorsWriter.Write(path, [new("w", randn(10, 10))]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^7]);
        var error = Fails(path);
        Assert.Contains("tensor 'w'", error.Problem);
        Assert.Contains("past the end of the data", error.Problem);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 9);
        Assert.Contains("5 bytes after the last tensor", Fails(path).Problem);
    }

    [Fact]
    public void Negative_or_fractional_shape()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4);
        Assert.Contains("shape must hold non-negative integers", Fails(path).Problem);
    }

    [Fact]
    public void Metadata_with_a_non_string_value()
    {
        using var dir = new TempDirectory();
        var path = Raw(dir, """{"__metadata__":{"step":3}}""", 0);
        Assert.Contains("'step' is not a string", Fails(path).Problem);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        using var dir = new TempDirectory();
        Assert.Contains("does not exist", Fails(dir.File("absent.safetensors")).Problem);
    }
}
