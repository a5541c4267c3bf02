namespace Nono.Platform;

/// <summary>
/// The platform seam: one implementation per kernel mechanism (Landlock on Linux today; Seatbelt on
/// macOS can be added here without touching callers).
/// </summary>
internal interface ISandboxBackend
{
    SupportInfo Support { get; }

    /// <summary>Restricts the current process, all its threads and future children.</summary>
    void Apply(CapabilitySet capabilities);

    /// <summary>The ruleset of <paramref name="capabilities"/>, built once for many children.</summary>
    PreparedSandbox Prepare(CapabilitySet capabilities);

    /// <summary>A start info that runs <paramref name="command"/> under nono-exec with <paramref name="launcherOptions"/>.</summary>
    SandboxedStart Wrap(IReadOnlyList<string> launcherOptions, System.Diagnostics.ProcessStartInfo command);

    static ISandboxBackend Current { get; } = OperatingSystem.IsLinux()
        ? new LinuxSandbox()
        : new UnsupportedSandbox();
}

/// <summary>A start info to run, and files to delete once the process has exited.</summary>
internal sealed record SandboxedStart(System.Diagnostics.ProcessStartInfo StartInfo, string? OptionsFile);
