using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Nono.Native;

/// <summary>Finds nono-exec and libnono.so where a NuGet package or a build output puts them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class NativeAssets
{
    public static string RuntimeIdentifier => RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => "linux-arm64",
        _ => "linux-x64",
    };

    /// <summary>The full path of a native asset, or null.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "An empty Location in a single-file app falls back to AppContext.BaseDirectory.")]
    public static string? Find(string fileName)
    {
        // The assembly's own folder differs from the app's when a host (MSBuild) loads it.
        var assemblyLocation = typeof(NativeAssets).Assembly.Location;
        var assemblyDirectory = string.IsNullOrEmpty(assemblyLocation) ? null : Path.GetDirectoryName(assemblyLocation);
        foreach (var directory in new[] { AppContext.BaseDirectory, assemblyDirectory })
        {
            if (string.IsNullOrEmpty(directory))
                continue;
            foreach (var candidate in new[]
                     {
                         Path.Combine(directory, "runtimes", RuntimeIdentifier, "native", fileName),
                         Path.Combine(directory, fileName),
                     })
            {
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// nono-exec, executable. NuGet does not keep file modes, so a launcher without its execute bit
    /// gets one, or, where its folder is read-only, is copied once to a private per-user cache.
    /// </summary>
    public static string Launcher()
    {
        var path = Find("nono-exec")
            ?? throw new NonoException(NonoErrorKind.UnsupportedPlatform,
                $"nono-exec not found beside the Nono assembly (expected runtimes/{RuntimeIdentifier}/native/nono-exec)");
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) != 0)
            return path;
        try
        {
            File.SetUnixFileMode(path, mode | execute);
            return path;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return CopyToCache(path);
        }
    }

    private static string CopyToCache(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "nono", hash);
        var cached = Path.Combine(directory, "nono-exec");
        if (File.Exists(cached) && SHA256.HashData(File.ReadAllBytes(cached)).AsSpan().SequenceEqual(SHA256.HashData(bytes)))
            return cached;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = cached + "." + Environment.ProcessId;
        File.WriteAllBytes(temporary, bytes);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        File.Move(temporary, cached, overwrite: true);
        return cached;
    }
}
