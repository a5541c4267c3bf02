namespace Nono;

/// <summary>The rights a grant gives on a path. Execute is its own right, independent of Read.</summary>
[Flags]
public enum AccessMode
{
    /// <summary>No access.</summary>
    None = 0,

    /// <summary>Read files; list directories.</summary>
    Read = 1,

    /// <summary>Write files; create regular files and directories, delete, rename and truncate beneath a directory.</summary>
    Write = 2,

    /// <summary>Read and write.</summary>
    ReadWrite = Read | Write,

    /// <summary>Execute files.</summary>
    Execute = 4,

    /// <summary>
    /// Create symbolic links, FIFOs and Unix sockets beneath a directory (special files; device
    /// nodes are never allowed). Not part of <see cref="Write"/>: a link planted where a more
    /// privileged program later reads or writes points that program anywhere, and a FIFO there
    /// makes it wait for ever.
    /// </summary>
    CreateSymlink = 8,
}
