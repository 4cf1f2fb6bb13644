using System.Runtime.InteropServices;

namespace DeepSeekR1.Actors.Model;

/// <summary>
/// A real crash in native code, for testing what survives one (<c>r1.engine.segfault-at-step</c>). A signal sent from
/// outside is not the same thing: .NET turns a SIGSEGV that lands while a thread runs managed code into an exception
/// some handler may catch, whereas a fault inside a native library ends the process, as libtorch's did.
/// </summary>
public static class NativeFault
{
    [DllImport("libc", EntryPoint = "memset")]
    private static extern IntPtr Memset(IntPtr destination, int value, nuint count);

    /// <summary>Writes through an unmapped address inside the C library: the process dies of SIGSEGV.</summary>
    public static void Segfault()
    {
        Console.Out.Flush();
        Memset(new IntPtr(16), 0, 64);
    }
}
