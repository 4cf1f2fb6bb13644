using Mono.Cecil;
using Mono.Cecil.Cil;

namespace DeepSeekR1.Actors.BuildTools;

/// <summary>
/// Patches the copy of <c>TorchSharp.dll</c> in a build's output folder so that every method keeps its
/// <c>Tensor</c>, <c>Scalar</c> and <c>Generator</c> arguments (<c>this</c> included), arrays and collections of them, and
/// such locals reachable until it returns: before each <c>ret</c> it calls <c>GC.KeepAlive</c> on each of them. Nothing
/// else changes.
/// </summary>
/// <remarks>
/// Why (docs/native-crash.md, "Scalars, and the general fix"): TorchSharp passes <c>x.Handle</c> to native code as a
/// bare pointer and never uses <c>x</c> again, so from that read on the JIT may treat the object as dead. When a
/// collection (triggered by any thread) finds it unreachable, its finalizer frees the native object while libtorch is
/// still reading it. For tensors, dispose scopes hold a strong reference (<c>TensorKeepAlive</c>); for scalars nothing
/// did: TorchSharp makes them implicitly from .NET numbers (<c>t.mul_(0.5)</c>, inside its optimizers too), and a
/// test that allocates on a second thread while the first calls <c>mul_</c> sees "INTERNAL ASSERT FAILED at
/// c10/core/Scalar.h" within a second. <c>GC.KeepAlive</c> at the end of the method that makes the native call is
/// exactly the fix the runtime documents for this pattern; it costs nothing at run time.
/// The patch is idempotent (a marker type says it is applied) and never writes through a hard link (the build may
/// hard-link the output folder's copy to the NuGet cache's, which must never change).
/// </remarks>
public static class KeepAlivePatcher
{
    /// <summary>The type the patch adds; its presence marks a patched assembly.</summary>
    public const string MarkerType = "R1KeepAlivePatched";

    // The finalizable handle owners that TorchSharp's callers make as temporaries.
    private static readonly HashSet<string> Kept = ["TorchSharp.torch/Tensor", "TorchSharp.Scalar", "TorchSharp.Modules.Parameter", "TorchSharp.torch/Generator"];

    /// <summary>What a patch did: the methods changed (0 when the assembly was patched before).</summary>
    public sealed record Report(bool AlreadyPatched, int Methods);

    /// <summary>Patches <paramref name="path"/> in place; throws <see cref="InvalidDataException"/> when it is not a TorchSharp this patch knows.</summary>
    public static Report Patch(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var input = new MemoryStream(bytes);
        using var module = ModuleDefinition.ReadModule(input, new ReaderParameters { ReadSymbols = false });
        if (module.GetType("TorchSharp.Scalar") is null || module.GetType("TorchSharp.torch/Tensor") is null)
            throw new InvalidDataException($"{path}: no TorchSharp.Scalar or torch.Tensor (not TorchSharp, or a version this patch does not know)");
        if (module.GetType(MarkerType) is not null) return new Report(true, 0);

        // GC.KeepAlive, referenced through the same assembly as TorchSharp's own GC.SuppressFinalize calls.
        var suppress = module.GetMemberReferences().OfType<MethodReference>()
            .FirstOrDefault(m => m.DeclaringType.FullName == "System.GC" && m.Name == "SuppressFinalize")
            ?? throw new InvalidDataException($"{path}: TorchSharp does not call GC.SuppressFinalize; cannot find System.GC to reference");
        var keepAlive = new MethodReference("KeepAlive", module.TypeSystem.Void, suppress.DeclaringType) { HasThis = false };
        keepAlive.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));

        int changed = 0;
        foreach (var type in AllTypes(module))
            foreach (var method in type.Methods.Where(m => m.HasBody))
                if (Instrument(method, keepAlive)) changed++;

        module.Types.Add(new TypeDefinition("", MarkerType, TypeAttributes.NotPublic | TypeAttributes.Abstract | TypeAttributes.Sealed, module.TypeSystem.Object));
        string temp = path + ".r1-patch";
        using (var output = File.Create(temp)) module.Write(output);
        File.Move(temp, path, overwrite: true);
        return new Report(false, changed);
    }

    private static IEnumerable<TypeDefinition> AllTypes(ModuleDefinition module)
    {
        var stack = new Stack<TypeDefinition>(module.Types);
        while (stack.Count > 0)
        {
            var type = stack.Pop();
            yield return type;
            foreach (var nested in type.NestedTypes) stack.Push(nested);
        }
    }

    // Before every ret: ldarg/ldloc x; call GC.KeepAlive, for each kept argument and local. The ret itself becomes the
    // first load, so that branches to it (and handler ends at it) now reach the whole sequence.
    private static bool Instrument(MethodDefinition method, MethodReference keepAlive)
    {
        var body = method.Body;
        var args = method.Parameters.Where(p => IsKept(p.ParameterType)).ToList();
        bool keepThis = method.HasThis && IsKept(method.DeclaringType);
        var locals = body.Variables.Where(v => IsKept(v.VariableType)).ToList();
        if (args.Count == 0 && !keepThis && locals.Count == 0) return false;
        if (body.Instructions.Any(i => i.OpCode.OpCodeType == OpCodeType.Prefix && i.OpCode == OpCodes.Tail)) return false;

        var il = body.GetILProcessor();
        foreach (var ret in body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList())
        {
            var loads = new List<Instruction>();
            if (keepThis) loads.Add(il.Create(OpCodes.Ldarg_0));
            loads.AddRange(args.Select(p => il.Create(OpCodes.Ldarg, p)));
            loads.AddRange(locals.Select(v => il.Create(OpCodes.Ldloc, v)));
            // Turn the ret into the first load, then append the rest and a new ret.
            ret.OpCode = loads[0].OpCode;
            ret.Operand = loads[0].Operand;
            var at = ret;
            at = After(il, at, il.Create(OpCodes.Call, keepAlive));
            foreach (var load in loads.Skip(1))
            {
                at = After(il, at, load);
                at = After(il, at, il.Create(OpCodes.Call, keepAlive));
            }
            After(il, at, il.Create(OpCodes.Ret));
        }
        body.MaxStackSize += 1;
        return true;
    }

    private static Instruction After(ILProcessor il, Instruction at, Instruction next)
    {
        il.InsertAfter(at, next);
        return next;
    }

    // A kept type itself, or an array or reference-type collection of one (torch.cat(Tensor[]), IList<Tensor>): the
    // method reads the elements' handles into native arrays, after which only the collection held them.
    private static bool IsKept(TypeReference type)
    {
        if (type.IsByReference || type.IsGenericParameter || type.IsPointer) return false;
        if (type is ArrayType array) return IsKept(array.ElementType);
        if (type.IsValueType) return false;   // a struct would be boxed to keep it: not worth a box per call
        if (type is GenericInstanceType generic) return generic.GenericArguments.Any(IsKept);
        return Kept.Contains(type.FullName);
    }
}
