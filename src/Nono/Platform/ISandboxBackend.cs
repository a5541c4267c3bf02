namespace Nono.Platform;

/// <summary>
/// The platform seam: one implementation per kernel mechanism (Landlock + seccomp on Linux, Seatbelt
/// on macOS).
/// </summary>
internal interface ISandboxBackend
{
    SupportInfo Support { get; }

    /// <summary>Restricts the current process, all its threads and future children.</summary>
    void Apply(CapabilitySet capabilities);

    /// <summary>The ruleset of <paramref name="capabilities"/>, built once for many children.</summary>
    PreparedSandbox Prepare(CapabilitySet capabilities);

    /// <summary>
    /// A start info that runs <paramref name="command"/> confined to <paramref name="capabilities"/>:
    /// on Linux under nono-exec with <paramref name="launcherOptions"/> (the set's own, or a prepared
    /// ruleset's, plus recording options); on macOS under sandbox-exec with the set's profile.
    /// </summary>
    SandboxedStart Wrap(CapabilitySet capabilities, IReadOnlyList<string> launcherOptions, System.Diagnostics.ProcessStartInfo command);

    static ISandboxBackend Current { get; } =
        OperatingSystem.IsLinux() ? new LinuxSandbox()
        : OperatingSystem.IsMacOS() ? new MacSandbox()
        : new UnsupportedSandbox();
}

/// <summary>A start info to run, and files to delete once the process has exited.</summary>
internal sealed record SandboxedStart(System.Diagnostics.ProcessStartInfo StartInfo, string? OptionsFile);
