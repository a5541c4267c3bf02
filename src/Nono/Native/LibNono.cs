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

    [LibraryImport(Library, EntryPoint = "nono_ruleset")]
    private static partial int NonoRuleset(int argc, nint* argv, byte* error, nuint errorSize);

    [LibraryImport(Library, EntryPoint = "nono_serve_start", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int ServeStart(string launcher, int socket);

    [LibraryImport(Library, EntryPoint = "nono_serve_send", SetLastError = true)]
    internal static partial int ServeSend(int socket, byte* request, nuint length, int* fds, int count);

    private delegate int OptionsCall(int argc, nint* argv, byte* error, nuint errorSize);

    /// <summary>Calls libnono with <paramref name="args"/> as its argv; returns its result and, on failure, its error line.</summary>
    private static int Call(IReadOnlyList<string> args, OptionsCall call, out string? error)
    {
        var pointers = new nint[args.Count];
        try
        {
            for (var i = 0; i < args.Count; i++)
                pointers[i] = Marshal.StringToCoTaskMemUTF8(args[i]);
            var text = new byte[1024];
            int rc;
            fixed (nint* argv = pointers)
            fixed (byte* buffer = text)
                rc = call(args.Count, argv, buffer, (nuint)text.Length);
            var length = Array.IndexOf(text, (byte)0);
            error = length > 0 ? System.Text.Encoding.UTF8.GetString(text, 0, length) : null;
            return rc;
        }
        finally
        {
            foreach (var p in pointers)
                Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Returns null on success, else the one-line error; <paramref name="partial"/> if some threads were restricted.</summary>
    public static string? Apply(IReadOnlyList<string> args, out bool partial)
    {
        var partialFlag = 0;
        var rc = Call(args, (argc, argv, error, size) => NonoApply(argc, argv, error, size, out partialFlag), out var error);
        partial = partialFlag != 0;
        return rc == 0 ? null : error ?? "unknown error: nono_apply";
    }

    /// <summary>The policy's Landlock ruleset descriptor (close-on-exec), or -1 and the one-line error.</summary>
    public static int Ruleset(IReadOnlyList<string> args, out string? error)
    {
        var fd = Call(args, NonoRuleset, out error);
        if (fd < 0)
            error ??= "unknown error: nono_ruleset";
        return fd;
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
