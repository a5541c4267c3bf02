using System.Runtime.InteropServices;

namespace Nono.Build.Tool;

/// <summary>
/// What a path itself is (a link is not followed) and who owns it, from statx(2), whose layout
/// is the same on every architecture: what the tool checks before it reads or deletes a file in
/// a folder the build could write.
/// </summary>
internal static partial class UnixFileType
{
    public const int Regular = 0x8000, Socket = 0xC000;

    /// <summary>The path's type (S_IFMT bits), owner and number of names (hard links), or null where it cannot be told (it is missing, or this libc has no statx).</summary>
    public static unsafe (int Type, uint Owner, uint Links)? Of(string path)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxType = 0x1, StatxNlink = 0x4, StatxUid = 0x8;
        const int LinksOffset = 16, UidOffset = 20, ModeOffset = 28;
        var buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxNlink | StatxUid, buffer) != 0)
                return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        return (*(ushort*)(buffer + ModeOffset) & 0xF000, *(uint*)(buffer + UidOffset), *(uint*)(buffer + LinksOffset));
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint EffectiveUser();

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
