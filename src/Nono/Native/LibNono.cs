using System.Reflection;
using System.Runtime.InteropServices;

namespace Nono.Native;

/// <summary>libnono.so: applies nono-exec's options to this process (see native/include/nono.h).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static unsafe partial class LibNono
{
    private const string Library = "nono";

    static LibNono() => NativeLibrary.SetDllImportResolver(typeof(LibNono).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
            return 0;
        var path = NativeAssets.Find("libnono.so");
        return path is not null && NativeLibrary.TryLoad(path, out var handle) ? handle : 0;
    }

    [LibraryImport(Library, EntryPoint = "nono_apply")]
    private static partial int NonoApply(int argc, nint* argv, byte* error, nuint errorSize, out int partial);

    [LibraryImport(Library, EntryPoint = "nono_probe")]
    private static partial int NonoProbe(byte* buffer, nuint size);

    /// <summary>Returns null on success, else the one-line error; <paramref name="partial"/> if some threads were restricted.</summary>
    public static string? Apply(IReadOnlyList<string> args, out bool partial)
    {
        var pointers = new nint[args.Count];
        try
        {
            for (var i = 0; i < args.Count; i++)
                pointers[i] = Marshal.StringToCoTaskMemUTF8(args[i]);
            var error = new byte[1024];
            int rc, partialFlag;
            fixed (nint* argv = pointers)
            fixed (byte* text = error)
                rc = NonoApply(args.Count, argv, text, (nuint)error.Length, out partialFlag);
            partial = partialFlag != 0;
            return rc == 0 ? null : System.Text.Encoding.UTF8.GetString(error, 0, Array.IndexOf(error, (byte)0) is var n and >= 0 ? n : error.Length);
        }
        finally
        {
            foreach (var p in pointers)
                Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>nono-exec --probe's JSON.</summary>
    public static string Probe()
    {
        var buffer = new byte[512];
        fixed (byte* b = buffer)
        {
            var length = NonoProbe(b, (nuint)buffer.Length);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length - 1));
        }
    }
}
