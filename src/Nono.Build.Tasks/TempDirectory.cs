namespace Nono.Build.Tasks;

/// <summary>Clears out the temp directories steps were given, whatever the steps left in them.</summary>
internal static class TempDirectory
{
    /// <summary>Deletes <paramref name="path"/> and everything in it; false if something stays.</summary>
    public static bool TryDelete(string path) =>
        Retrying(path, () => Directory.Delete(path, recursive: true));

    /// <summary>Deletes everything in <paramref name="path"/>, keeping the directory; false if something stays.</summary>
    public static bool TryEmpty(string path) => Retrying(path, () =>
    {
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo { LinkTarget: null } directory)
                directory.Delete(recursive: true);
            else
                entry.Delete();
        }
    });

    /// <summary>Runs <paramref name="delete"/>, and once more after giving the tree's directories back their owner's rights.</summary>
    private static bool Retrying(string root, Action delete)
    {
        for (var attempt = 0; ; attempt++)
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
            catch (Exception e) when (attempt == 0 && !OperatingSystem.IsWindows() && e is IOException or UnauthorizedAccessException)
            {
                GiveOwnerRightsBack(root);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// A step can make a directory it owns unreadable (mode 000) so that its contents cannot be
    /// deleted; its owner, the build's user, may always chmod it back. Symlinks are not followed.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void GiveOwnerRightsBack(string root)
    {
        const UnixFileMode ownerRights = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.TryPop(out var dir))
        {
            try
            {
                if (dir.LinkTarget is not null)
                    continue;
                dir.UnixFileMode |= ownerRights;
                foreach (var sub in dir.EnumerateDirectories())
                    pending.Push(sub);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
