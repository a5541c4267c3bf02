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

    /// <summary>A start info that runs <paramref name="command"/> confined to <paramref name="capabilities"/>.</summary>
    SandboxedStart Wrap(CapabilitySet capabilities, System.Diagnostics.ProcessStartInfo command);

    static ISandboxBackend Current { get; } = OperatingSystem.IsLinux()
        ? new LinuxSandbox()
        : new UnsupportedSandbox();
}

/// <summary>A start info to run, and files to delete once the process has exited.</summary>
internal sealed record SandboxedStart(System.Diagnostics.ProcessStartInfo StartInfo, string? OptionsFile);
