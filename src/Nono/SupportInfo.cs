namespace Nono;

/// <summary>Protections a kernel can enforce.</summary>
[Flags]
public enum SandboxFeatures
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Filesystem access control (Landlock ABI 1).</summary>
    FileSystem = 1 << 0,

    /// <summary>Renames and links across directories are controlled (ABI 2).</summary>
    Refer = 1 << 1,

    /// <summary>Truncation is controlled (ABI 3).</summary>
    Truncate = 1 << 2,

    /// <summary>TCP connect and bind by port (ABI 4).</summary>
    TcpPorts = 1 << 3,

    /// <summary>ioctl on device files is controlled (ABI 5).</summary>
    IoctlDev = 1 << 4,

    /// <summary>Abstract Unix sockets and signals are scoped to the sandbox (ABI 6).</summary>
    Scopes = 1 << 5,

    /// <summary>seccomp filters: socket families other than TCP are refused.</summary>
    Seccomp = 1 << 6,
}

/// <summary>Whether and how well this machine can enforce a sandbox.</summary>
/// <param name="IsSupported">Whether <see cref="Sandbox.Apply"/> and <see cref="SandboxedProcess"/> can enforce here.</param>
/// <param name="Platform">The platform: "linux", "macos", "windows" or another OS name.</param>
/// <param name="LandlockAbi">The kernel's Landlock ABI version; 0 where there is none.</param>
/// <param name="Features">What the kernel enforces.</param>
/// <param name="Reason">Why the sandbox is unsupported, when it is.</param>
public sealed record SupportInfo(
    bool IsSupported,
    string Platform,
    int LandlockAbi,
    SandboxFeatures Features,
    string? Reason = null);
