using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>Tensors to <see cref="TensorPayload"/>s and back: a copy of the storage's bytes, row-major, on the CPU.</summary>
internal static class TensorPayloads
{
    /// <summary>The bytes of <paramref name="tensor"/> (any device, any layout), copied now.</summary>
    public static TensorPayload From(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var data = new byte[cpu.numel() * cpu.element_size()];
        if (data.Length > 0) cpu.bytes.CopyTo(data);
        return new TensorPayload(SafetensorsDTypes.FromScalarType(cpu.dtype).ToString(), cpu.shape, data);
    }

    /// <summary>A new tensor on <paramref name="device"/> holding <paramref name="payload"/>'s values (in the caller's dispose scope).</summary>
    public static Tensor ToTensor(TensorPayload payload, Device device)
    {
        payload.Validate();
        var dtype = SafetensorsDTypes.ToScalarType(SafetensorsDTypes.Parse(payload.DType)!.Value);
        var tensor = empty(payload.Shape.ToArray(), dtype);
        if (payload.Data.Length > 0) payload.Data.Span.CopyTo(tensor.bytes);
        return device.type == TorchSharp.DeviceType.CPU ? tensor : tensor.to(device);
    }

    /// <summary>The bytes of a file as a U8 payload (an optimizer's saved state).</summary>
    public static TensorPayload OfFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return new TensorPayload("U8", [bytes.LongLength], bytes);
    }

    /// <summary>Writes a U8 payload's bytes to <paramref name="path"/>.</summary>
    public static void ToFile(TensorPayload payload, string path)
    {
        if (payload.DType != "U8") throw new ArgumentException($"a file travels as a U8 payload, not {payload.DType}");
        using var stream = File.Create(path);
        stream.Write(payload.Validate().Data.Span);
        stream.Flush(flushToDisk: true);
    }
}
