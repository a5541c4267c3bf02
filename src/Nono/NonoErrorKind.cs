namespace Nono;

/// <summary>What went wrong, for callers that handle errors by kind.</summary>
public enum NonoErrorKind
{
    /// <summary>A path that must exist does not.</summary>
    PathNotFound,

    /// <summary>A directory was expected (AllowPath) but the path is a file.</summary>
    ExpectedDirectory,

    /// <summary>A file was expected (AllowFile) but the path is a directory.</summary>
    ExpectedFile,

    /// <summary>A path could not be resolved (permissions, a symlink loop).</summary>
    PathCanonicalization,

    /// <summary>Apply was asked to enforce a set that grants nothing.</summary>
    NoCapabilities,

    /// <summary>The kernel refused to set up the sandbox.</summary>
    SandboxInit,

    /// <summary>This platform or kernel cannot enforce a sandbox.</summary>
    UnsupportedPlatform,

    /// <summary>A command is blocked by policy.</summary>
    BlockedCommand,

    /// <summary>A configuration document (SandboxState JSON) is malformed.</summary>
    ConfigParse,

    /// <summary>A profile is malformed.</summary>
    ProfileParse,

    /// <summary>An I/O operation failed.</summary>
    Io,

    /// <summary>An argument is invalid: null, empty, contains NUL, relative where absolute is needed, a port out of range.</summary>
    InvalidArgument,

    /// <summary>A signature or trust check failed.</summary>
    TrustVerification,

    /// <summary>Anything else.</summary>
    Unknown,

    /// <summary>
    /// This process already runs in a sandbox that refuses another one inside it (macOS Seatbelt:
    /// sandbox_init and sandbox-exec fail in a process that sandbox-exec or App Sandbox started).
    /// </summary>
    NestedSandbox,
}
