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

    /// <summary>A pipe, both ends close-on-exec: fds[0] reads, fds[1] writes.</summary>
    internal static unsafe int Pipe(int* fds) => Pipe2(fds, OCloExec);

    /// <summary>A connected pair of Unix stream sockets, both close-on-exec.</summary>
    internal static unsafe int StreamSocketPair(int* fds) => SocketPair(AfUnix, SockStream | SockCloExec, 0, fds);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(ServedProcess.PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    /// <summary>Whether the descriptor is open.</summary>
    internal static bool IsOpen(int fd) => Fcntl(fd, FGetFd) >= 0;

    /// <summary>/dev/null for reading, close-on-exec, or -1.</summary>
    internal static int OpenDevNull() => Open("/dev/null", OCloExec);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    /// <summary>Reaps a child this process started itself (not through .NET's Process).</summary>
    internal static unsafe void WaitPid(int pid)
    {
        int status;
        while (WaitPid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == 4) // EINTR
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static unsafe partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(int fd, byte* buffer, nuint count, int flags);

    internal const int MsgNoSignal = 0x4000;

    private const int FGetFd = 1, OCloExec = 0x80000, AfUnix = 1, SockStream = 1, SockCloExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int StatX(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The file a path names now (device and inode), or null if it cannot be reached.</summary>
    internal static unsafe FileId? FileIdentity(string path)
    {
        const int AtFdCwd = -100;
        const uint StatxIno = 0x100;
        var buffer = stackalloc byte[256]; // struct statx: the same layout on every architecture
        if (StatX(AtFdCwd, path, 0, StatxIno, buffer) != 0)
            return null;
        return new FileId(*(ulong*)(buffer + 32), ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140));
    }

    /// <summary>
    /// What a path itself is now (not following a final symlink): which file (device, inode), its
    /// type and mode, size, and the times of its last content change (mtime) and last change of
    /// anything (ctime, which no unprivileged process can set); null if it cannot be reached.
    /// </summary>
    internal static FileStamp? Stamp(string path) => StampOf(path, followSymlink: false);

    /// <summary>As <see cref="Stamp(string)"/>, of what a final symlink points to.</summary>
    internal static FileStamp? StampFollowing(string path) => StampOf(path, followSymlink: true);

    private static unsafe FileStamp? StampOf(string path, bool followSymlink)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxBasicStats = 0x7ff;
        var b = stackalloc byte[256];
        if (StatX(AtFdCwd, path, followSymlink ? 0 : AtSymlinkNoFollow, StatxBasicStats, b) != 0)
            return null;
        static long Nanoseconds(byte* t) => *(long*)t * 1_000_000_000 + *(uint*)(t + 8);
        return new FileStamp(
            ((ulong)*(uint*)(b + 136) << 32) | *(uint*)(b + 140), *(ulong*)(b + 32), *(ushort*)(b + 28),
            *(long*)(b + 40), Nanoseconds(b + 112), Nanoseconds(b + 96));
    }
}

// Classes, not structs: the framework's collections and LINQ over a struct of this assembly are
// compiled at run time (ReadyToRun code holds no instantiations of other assemblies' generics
// over it), which cost a project's first step milliseconds.

/// <summary>Which file a path names (<see cref="LibC.FileIdentity"/>).</summary>
internal sealed record FileId(ulong Inode, ulong Device);

/// <summary>A file's identity and change times (<see cref="LibC.Stamp"/>): equal stamps, unchanged file.</summary>
internal sealed record FileStamp(ulong Device, ulong Inode, ushort Mode, long Size, long ModifiedNs, long ChangedNs);
