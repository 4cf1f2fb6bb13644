using System.Diagnostics;
using DeepSeekR1.Actors.BuildTools;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace DeepSeekR1.Actors.BuildTools.Tests;

/// <summary>Runs the IL patch on a fresh copy of the real TorchSharp.dll from the restored package, never on the cache itself.</summary>
public sealed class KeepAlivePatcherTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("r1-il-").FullName;
    private readonly string original;
    private readonly string assembly;

    public KeepAlivePatcherTests()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        original = Path.Combine(packages, "torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll");
        assembly = Path.Combine(dir, "TorchSharp.dll");
        File.Copy(original, assembly);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static MethodDefinition MulScalar(ModuleDefinition module) =>
        module.GetType("TorchSharp.torch/Tensor").Methods.Single(m => m.Name == "mul_" && m.Parameters.Count == 1 && m.Parameters[0].ParameterType.FullName == "TorchSharp.Scalar");

    // The instructions just before each ret: what the method does last.
    private static List<string> Tail(MethodDefinition method, int count)
    {
        var list = method.Body.Instructions.ToList();
        int ret = list.FindLastIndex(i => i.OpCode == OpCodes.Ret);
        return list.Skip(ret - count).Take(count).Select(i => i.OpCode.Code + (i.Operand is MethodReference m ? " " + m.Name : "")).ToList();
    }

    [Fact]
    public void The_package_as_shipped_lets_the_scalar_die_during_the_native_call()
    {
        using var module = ModuleDefinition.ReadModule(original);
        Assert.DoesNotContain(MulScalar(module).Body.Instructions, i => i.Operand is MethodReference { Name: "KeepAlive" });
    }

    [Fact]
    public void After_the_patch_a_method_keeps_this_and_its_scalar_alive_until_it_returns()
    {
        var report = KeepAlivePatcher.Patch(assembly);
        Assert.False(report.AlreadyPatched);
        Assert.True(report.Methods > 1000, $"only {report.Methods} methods were instrumented");
        using var module = ModuleDefinition.ReadModule(assembly);
        Assert.NotNull(module.GetType(KeepAlivePatcher.MarkerType));
        // ... ldarg.0; call KeepAlive; ldarg target; call KeepAlive; ret
        var tail = Tail(MulScalar(module), 4);
        Assert.Equal("Ldarg_0", tail[0]);
        Assert.Equal("Call KeepAlive", tail[1]);
        Assert.StartsWith("Ldarg", tail[2]);
        Assert.Equal("Call KeepAlive", tail[3]);
    }

    [Fact]
    public void A_method_taking_an_array_of_tensors_keeps_the_array_alive()
    {
        KeepAlivePatcher.Patch(assembly);
        using var module = ModuleDefinition.ReadModule(assembly);
        var cat = module.GetType("TorchSharp.torch").Methods.First(m => m.Name == "cat" && m.Parameters.Count > 0
            && m.Parameters[0].ParameterType is ArrayType { ElementType.Name: "Tensor" } or GenericInstanceType);
        Assert.Contains(cat.Body.Instructions, i => i.Operand is MethodReference { Name: "KeepAlive" });
    }

    [Fact]
    public void Patching_twice_changes_nothing_the_second_time()
    {
        KeepAlivePatcher.Patch(assembly);
        byte[] once = File.ReadAllBytes(assembly);
        Assert.True(KeepAlivePatcher.Patch(assembly).AlreadyPatched);
        Assert.Equal(once, File.ReadAllBytes(assembly));
    }

    [Fact]
    public void A_hard_linked_copy_is_replaced_and_the_file_it_was_linked_to_stays_as_it_was()
    {
        string linked = Path.Combine(dir, "linked", "TorchSharp.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(linked)!);
        using (var ln = Process.Start("ln", [assembly, linked])) ln.WaitForExit();
        byte[] before = File.ReadAllBytes(assembly);
        KeepAlivePatcher.Patch(linked);
        Assert.Equal(before, File.ReadAllBytes(assembly));
        Assert.NotEqual(before, File.ReadAllBytes(linked));
    }

    [Fact]
    public void A_file_that_is_not_TorchSharp_is_refused_by_name()
    {
        string other = Path.Combine(dir, "Other.dll");
        File.Copy(typeof(KeepAlivePatcher).Assembly.Location, other);
        var e = Assert.Throws<InvalidDataException>(() => KeepAlivePatcher.Patch(other));
        Assert.Contains("Other.dll", e.Message);
    }
}
