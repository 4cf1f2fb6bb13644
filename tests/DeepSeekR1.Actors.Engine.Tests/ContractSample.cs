using System.Collections;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Builds an instance of any contract with distinct, non-default values in every field, from the type's shape alone
/// (its widest constructor, each parameter's name and type). <see cref="ContractSerializationTests"/> round-trips these;
/// <see cref="ContractFrozenBytesTests"/> compares their encoding with bytes committed under Fixtures/contracts, so
/// what this builds for a type must never change: a shape it cannot build yet gets a new branch that leaves every
/// existing output as it was.
/// </summary>
internal static class ContractSample
{
    /// <summary>The canonical instance of a contract type (the one whose bytes Fixtures/contracts holds).</summary>
    public static object Canonical(Type type) => Build(type, type.Name);

    /// <summary>An instance of <paramref name="type"/> whose values derive from <paramref name="hint"/>.</summary>
    public static object Build(Type type, string hint)
    {
        if (type == typeof(string)) return $"{hint}-text";
        if (type == typeof(int)) return 3 + hint.Length;
        if (type == typeof(long)) return 40L + hint.Length;
        if (type == typeof(ulong)) return 0xFEDC_BA98_7654_3210UL;
        if (type == typeof(double)) return 0.125 + hint.Length;
        if (type == typeof(double?)) return (double?)-0.75;
        if (type == typeof(float)) return -1.5f;
        if (type == typeof(bool)) return true;
        // Enums are journaled by name; these were strings in the contracts once, with exactly these values.
        if (type == typeof(AnswerKind)) return AnswerKind.Math;
        if (type == typeof(FinishReason)) return FinishReason.Stop;
        // A tensor: F32 [2, 3] whose six values derive from the hint (its bytes travel after a tensor body's header).
        if (type == typeof(TensorPayload))
        {
            float[] values = Enumerable.Range(0, 6).Select(i => 0.5f * i - hint.Length).ToArray();
            return new TensorPayload("F32", [2, 3], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Build(element, hint + "0"));
            list.Add(Build(element, hint + "01"));
            return list;
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var args = constructor.GetParameters().Select(p => Build(p.ParameterType, p.Name!)).ToArray();
        return constructor.Invoke(args);
    }
}
