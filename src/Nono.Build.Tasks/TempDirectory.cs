using System.Runtime.InteropServices;
using System.Text;

namespace Nono.Build.Tasks;

/// <summary>
/// Clears out the temp directories steps were given, whatever the steps left in them. This runs in
/// MSBuild with the user's full rights on a tree a step shaped, so on Linux it follows no link, even
/// while the tree changes under it: every entry is removed relative to a descriptor of the directory
/// that holds it (<c>unlinkat</c>), and a directory is entered only through
/// <c>openat(O_DIRECTORY | O_NOFOLLOW)</c>. A directory swapped for a symlink between listing and
/// descending (the <c>remove_dir_all</c> race, CVE-2022-21658) is then found to be a link, and the
/// link itself is removed, never what it points to.
/// </summary>
internal static partial class TempDirectory
{
    /// <summary>Deletes <paramref name="path"/> and everything in it; false if something stays.</summary>
    public static bool TryDelete(string path) =>
        NoFollow.Supported ? NoFollow.Remove(path, keepRoot: false) : Managed(() => Directory.Delete(path, recursive: true));

    /// <summary>Deletes everything in <paramref name="path"/>, keeping the directory; false if something stays.</summary>
    public static bool TryEmpty(string path) =>
        NoFollow.Supported ? NoFollow.Remove(path, keepRoot: true) : Managed(() =>
        {
            foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } directory)
                    directory.Delete(recursive: true);
                else
                    entry.Delete();
            }
        });

    /// <summary>Elsewhere (no step is sandboxed there today): .NET's own deletion.</summary>
    private static bool Managed(Action delete)
    {
        try
        {
            delete();
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The removal by directory descriptors, iterative (a step may nest directories deeper than any call stack).</summary>
    private static class NoFollow
    {
        /// <summary>Linux, 64-bit (the struct dirent layout read below; the SDK ships linux-x64 and linux-arm64).</summary>
        public static bool Supported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

        /// <summary>Deeper than this the tree is left, and reported as not deleted.</summary>
        private const int MaxDepth = 4096;

        /// <summary>Listings of one directory at most: a tree that keeps refilling is reported, not chased forever.</summary>
        private const int MaxPasses = 16;

        private sealed class Level(int fd, byte[]? name)
        {
            public int Fd { get; } = fd;

            /// <summary>Its name in the level above; null for the root.</summary>
            public byte[]? Name { get; } = name;

            public Queue<byte[]> Pending { get; } = new();

            public int Passes { get; set; }
        }

        public static bool Remove(string path, bool keepRoot)
        {
            var root = OpenDirectory(LibC.AtFdCwd, CString(path));
            if (root < 0)
                return Marshal.GetLastPInvokeError() == LibC.ENOENT;
            var complete = true;
            var levels = new Stack<Level>([new Level(root, null)]);
            while (levels.TryPeek(out var level))
            {
                if (level.Pending.Count == 0)
                {
                    var names = level.Passes++ < MaxPasses ? List(level.Fd) : null;
                    if (names is { Count: > 0 })
                    {
                        foreach (var name in names)
                            level.Pending.Enqueue(name);
                        continue;
                    }
                    complete &= names is not null;
                    levels.Pop();
                    if (level.Name is not null && levels.TryPeek(out var parent))
                        // Not empty (refilled) or no longer a directory (swapped): the parent's next listing sees it again.
                        LibC.UnlinkAt(parent.Fd, level.Name, LibC.AtRemoveDir);
                    if (levels.Count > 0 || keepRoot)
                        LibC.Close(level.Fd);
                    else
                    {
                        LibC.Close(level.Fd);
                        complete &= LibC.UnlinkAt(LibC.AtFdCwd, CString(path), LibC.AtRemoveDir) == 0
                            || Marshal.GetLastPInvokeError() == LibC.ENOENT;
                    }
                    continue;
                }

                var entry = level.Pending.Dequeue();
                if (Unlink(level.Fd, entry) is not (LibC.EISDIR or LibC.EPERM))
                    continue; // gone, or it stays and the next listing finds it
                if (levels.Count >= MaxDepth)
                {
                    complete = false;
                    continue;
                }
                var child = OpenDirectory(level.Fd, entry);
                if (child >= 0)
                    levels.Push(new Level(child, entry));
                // else ELOOP or ENOTDIR: swapped for a link or a file since; the next listing unlinks that.
            }
            return complete;
        }

        private static byte[] CString(string text)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, bytes);
            return bytes;
        }

        /// <summary>Removes a non-directory entry, giving the directory its owner's rights back once if needed; the errno, or 0.</summary>
        private static int Unlink(int dir, byte[] name)
        {
            if (LibC.UnlinkAt(dir, name, 0) == 0)
                return 0;
            var error = Marshal.GetLastPInvokeError();
            if (error != LibC.EACCES)
                return error == LibC.ENOENT ? 0 : error;
            // A step can take write or search rights off a directory it made; its owner may give them back.
            LibC.FChmod(dir, OwnerRights);
            return LibC.UnlinkAt(dir, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }

        private const uint OwnerRights = 0b111_000_000;

        /// <summary>
        /// A descriptor of the directory <paramref name="name"/> names in <paramref name="dir"/>, never
        /// through a symlink; a directory the step made unreadable (mode 000) gets its owner's rights back.
        /// -1 with errno set (ELOOP or ENOTDIR where it is not a directory).
        /// </summary>
        private static int OpenDirectory(int dir, byte[] name)
        {
            var flags = LibC.ODirectory | LibC.ONoFollow | LibC.OCloExec;
            var fd = LibC.OpenAt(dir, name, flags);
            if (fd >= 0 || Marshal.GetLastPInvokeError() != LibC.EACCES)
                return fd;
            var pinned = LibC.OpenAt(dir, name, flags | LibC.OPath);
            if (pinned < 0)
                return -1;
            // Through the descriptor's /proc link, chmod and the reopening reach the very directory just
            // pinned, whatever the name means by now (fchmod refuses O_PATH descriptors).
            var self = CString($"/proc/self/fd/{pinned}");
            LibC.Chmod(self, OwnerRights);
            fd = LibC.OpenAt(LibC.AtFdCwd, self, LibC.ODirectory | LibC.OCloExec);
            LibC.Close(pinned);
            return fd;
        }

        /// <summary>The entries of <paramref name="dir"/> but . and .., or null if it cannot be listed.</summary>
        private static unsafe List<byte[]>? List(int dir)
        {
            var copy = LibC.Dup(dir);
            if (copy < 0)
                return null;
            var stream = LibC.FdOpenDir(copy);
            if (stream == 0)
            {
                LibC.Close(copy);
                return null;
            }
            LibC.RewindDir(stream);
            var names = new List<byte[]>();
            try
            {
                for (nint entry; (entry = LibC.ReadDir(stream)) != 0;)
                {
                    // struct dirent (64-bit glibc and musl): d_ino, d_off, d_reclen, d_type, then d_name.
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + 19);
                    if (name is [(byte)'.'] or [(byte)'.', (byte)'.'])
                        continue;
                    var bytes = new byte[name.Length + 1];
                    name.CopyTo(bytes);
                    names.Add(bytes);
                }
            }
            finally
            {
                LibC.CloseDir(stream);
            }
            return names;
        }
    }

    /// <summary>The few libc calls of the removal. Names passed as bytes, NUL-terminated: a step may leave names that are not UTF-8.</summary>
    private static partial class LibC
    {
        public const int AtFdCwd = -100;
        public const int AtRemoveDir = 0x200;
        public const int EPERM = 1, ENOENT = 2, EACCES = 13, EISDIR = 21;
        public const int OCloExec = 0x80000, OPath = 0x200000;

        /// <summary>O_DIRECTORY and O_NOFOLLOW differ between architectures: arm64 has its own (040000, 0100000), x86-64 the generic ones.</summary>
        public static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 ? 0x4000 : 0x10000;

        public static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 ? 0x8000 : 0x20000;

        [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
        public static partial int OpenAt(int dir, byte[] path, int flags);

        [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
        public static partial int UnlinkAt(int dir, byte[] path, int flags);

        [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true)]
        public static partial int Chmod(byte[] path, uint mode);

        [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        public static partial int FChmod(int fd, uint mode);

        [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
        public static partial int Dup(int fd);

        [LibraryImport("libc", EntryPoint = "close")]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
        public static partial nint FdOpenDir(int fd);

        [LibraryImport("libc", EntryPoint = "rewinddir")]
        public static partial void RewindDir(nint stream);

        [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
        public static partial nint ReadDir(nint stream);

        [LibraryImport("libc", EntryPoint = "closedir")]
        public static partial int CloseDir(nint stream);
    }
}
