using Nono.Platform;

namespace Nono;

/// <summary>Enforces a <see cref="CapabilitySet"/> on the current process.</summary>
public static class Sandbox
{
    /// <summary>Whether and how well this machine can enforce a sandbox.</summary>
    public static SupportInfo Support => ISandboxBackend.Current.Support;

    /// <summary>
    /// Restricts this process — every thread, and every child it starts from now on — to
    /// <paramref name="capabilities"/>. Irreversible. On Linux every thread is made to restrict
    /// itself and the call fails with SandboxInit unless each one did.
    /// </summary>
    /// <exception cref="NonoException">InvalidArgument, NoCapabilities, UnsupportedPlatform, PathNotFound, SandboxInit, NestedSandbox (macOS: this process is already sandboxed).</exception>
    public static void Apply(CapabilitySet capabilities)
    {
        if (capabilities is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
        if (capabilities.FileSystem.Count == 0)
            throw new NonoException(NonoErrorKind.NoCapabilities,
                "the capability set grants no path; the process could not even load code (grant at least the runtime's directories)");
        ISandboxBackend.Current.Apply(capabilities);
    }

    /// <summary>
    /// Builds the kernel ruleset of <paramref name="capabilities"/> once, for starting many processes
    /// under it with <see cref="SandboxedProcess.Start(PreparedSandbox, System.Diagnostics.ProcessStartInfo)"/>
    /// or <see cref="PreparedSandbox.BeginLaunch"/>. The set is copied: later changes to it do not apply.
    /// </summary>
    /// <exception cref="NonoException">InvalidArgument, UnsupportedPlatform, PathNotFound, SandboxInit.</exception>
    public static PreparedSandbox Prepare(CapabilitySet capabilities)
    {
        if (capabilities is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
        return ISandboxBackend.Current.Prepare(capabilities.Clone());
    }
}
