using System.Runtime.InteropServices;
using Nono.Native;

namespace Nono;

/// <summary>Argument checks and symlink resolution for paths.</summary>
internal static class PathResolver
{
    private const int ENOENT = 2, EACCES = 13, ENOTDIR = 20, ELOOP = 40, ENAMETOOLONG = 36;

    /// <summary>Rejects null, empty and NUL-containing paths with InvalidArgument.</summary>
    public static string CheckArgument(string? path, string parameter)
    {
        if (path is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, $"{parameter} is null");
        if (path.Length == 0)
            throw new NonoException(NonoErrorKind.InvalidArgument, $"{parameter} is empty");
        if (path.Contains('\0'))
            throw new NonoException(NonoErrorKind.InvalidArgument, $"{parameter} contains a NUL character", path.Replace("\0", "\\0"));
        return path;
    }

    /// <summary>As <see cref="CheckArgument"/>, and the path must be absolute.</summary>
    public static string CheckAbsolute(string? path, string parameter)
    {
        CheckArgument(path, parameter);
        if (!System.IO.Path.IsPathRooted(path))
            throw new NonoException(NonoErrorKind.InvalidArgument, $"{parameter} must be an absolute path", path);
        return path!;
    }

    /// <summary>The absolute path of an existing file or directory with every symlink resolved.</summary>
    public static string ResolveExisting(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var resolved = LibC.RealPath(full, 0);
        if (resolved == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENOENT or ENOTDIR => new NonoException(NonoErrorKind.PathNotFound, "path not found", path),
                EACCES => new NonoException(NonoErrorKind.PathCanonicalization, "permission denied while resolving the path", path),
                ELOOP => new NonoException(NonoErrorKind.PathCanonicalization, "too many levels of symbolic links", path),
                ENAMETOOLONG => new NonoException(NonoErrorKind.PathCanonicalization, "path too long", path),
                _ => new NonoException(NonoErrorKind.PathCanonicalization, $"cannot resolve the path ({Marshal.GetPInvokeErrorMessage(errno)})", path),
            };
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            LibC.Free(resolved);
        }
    }

    /// <summary>
    /// An absolute path resolved as far as it exists: the deepest existing ancestor is resolved and
    /// the rest appended, so a query about a file that does not exist yet still sees through symlinks.
    /// </summary>
    public static string ResolveForQuery(string absolutePath)
    {
        var full = System.IO.Path.GetFullPath(absolutePath).TrimEnd('/');
        if (full.Length == 0)
            full = "/";
        var rest = new Stack<string>();
        var current = full;
        while (true)
        {
            try
            {
                var resolved = ResolveExisting(current);
                foreach (var part in rest)
                    resolved = resolved == "/" ? "/" + part : resolved + "/" + part;
                return resolved;
            }
            catch (NonoException e) when (e.Kind == NonoErrorKind.PathNotFound)
            {
                var parent = System.IO.Path.GetDirectoryName(current);
                if (parent is null)
                    return full;
                rest.Push(System.IO.Path.GetFileName(current));
                current = parent;
            }
        }
    }
}
