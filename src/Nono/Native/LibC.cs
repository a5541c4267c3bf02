using System.Runtime.InteropServices;

namespace Nono.Native;

internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    internal static partial void Free(nint pointer);

    /// <summary>A duplicate without close-on-exec: children started while it is open inherit it.</summary>
    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    internal static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int StatX(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The file a path names now (device and inode), or null if it cannot be reached.</summary>
    internal static unsafe (ulong Inode, ulong Device)? FileIdentity(string path)
    {
        const int AtFdCwd = -100;
        const uint StatxIno = 0x100;
        var buffer = stackalloc byte[256]; // struct statx: the same layout on every architecture
        if (StatX(AtFdCwd, path, 0, StatxIno, buffer) != 0)
            return null;
        return (*(ulong*)(buffer + 32), ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140));
    }
}
