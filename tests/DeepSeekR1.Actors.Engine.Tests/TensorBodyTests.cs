using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using DeepSeekR1.Actors.Engine.Contracts;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Contracts that carry tensors travel as a tensor body (a JSON header, then the raw bytes): exact round trips, the
/// bytes never as base64, and every way a body can be wrong refused by name.
/// </summary>
public class TensorBodyTests
{
    private static TensorPayload Floats(params float[] values) =>
        new("F32", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static ExpertForwardCall Call(params TensorPayload[] tokens) =>
        new("run", 1, 7, 3, Enumerable.Range(0, tokens.Length).ToArray(), tokens, Record: true);

    [Fact]
    public void Tensors_round_trip_bit_for_bit_and_travel_as_raw_bytes_after_the_header()
    {
        float[] values = [1.5f, -0f, float.Epsilon, float.MaxValue, float.NaN];
        var call = Call(Floats(values), Floats(2f));
        byte[] body = ContractCodec.Encode(call);
        Assert.Equal("R1T1"u8.ToArray(), body[..4]);
        // The header says how many bytes each tensor has; the bytes themselves follow it, not base64 inside it.
        Assert.True(body.Length < 200, $"{body.Length} bytes");
        var back = Assert.IsType<ExpertForwardCall>(ContractCodec.Decode(body, "ExpertForwardCall.v1"));
        Assert.Equal(call.Tokens[0], back.Tokens[0]);
        Assert.Equal(call.Tokens[1], back.Tokens[1]);
        Assert.Equal(body, ContractCodec.Encode(back));
    }

    [Fact]
    public void A_truncated_body_is_refused_and_says_how_many_bytes_it_lacks()
    {
        byte[] body = ContractCodec.Encode(Call(Floats(1f, 2f, 3f)));
        var e = Assert.ThrowsAny<SerializationException>(() => ContractCodec.Decode(body[..^4], "ExpertForwardCall.v1"));
        Assert.Contains("runs past the end of the body", e.Message);
    }

    [Fact]
    public void Bytes_left_over_after_the_last_tensor_are_refused()
    {
        byte[] body = [.. ContractCodec.Encode(Call(Floats(1f))), 0, 0];
        var e = Assert.Throws<SerializationException>(() => ContractCodec.Decode(body, "ExpertForwardCall.v1"));
        Assert.Contains("2 bytes after the last tensor payload", e.Message);
    }

    [Fact]
    public void A_json_body_where_a_tensor_body_belongs_is_refused_by_manifest()
    {
        var e = Assert.Throws<SerializationException>(() => ContractCodec.Decode("{}"u8.ToArray(), "ExpertForwardCall.v1"));
        Assert.Contains("'ExpertForwardCall.v1'", e.Message);
        Assert.Contains("not a tensor body", e.Message);
    }

    [Fact]
    public void A_payload_whose_bytes_do_not_fit_its_dtype_and_shape_is_refused_before_it_is_sent()
    {
        var bad = new TensorPayload("F32", [2, 3], new byte[20]);
        var e = Assert.Throws<SerializationException>(() => ContractCodec.Encode(Call(bad)));
        Assert.Contains("F32 [2, 3] needs 24 bytes, it has 20", e.Message);
        var unknown = new TensorPayload("F33", [1], new byte[4]);
        Assert.Contains("'F33' is not a dtype", Assert.Throws<SerializationException>(() => ContractCodec.Encode(Call(unknown))).Message);
    }
}
