using System.Runtime.InteropServices;

namespace Nono.Platform;

/// <summary>Every enforcing call throws UnsupportedPlatform.</summary>
internal sealed class UnsupportedSandbox : ISandboxBackend
{
    private static string PlatformName =>
        OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : RuntimeInformation.OSDescription;

    public SupportInfo Support { get; } = new(false, PlatformName, 0, SandboxFeatures.None,
        $"no sandbox backend for {PlatformName} yet (Linux with Landlock and macOS with Seatbelt are supported)");

    public void Apply(CapabilitySet capabilities) => throw Unsupported();

    public PreparedSandbox Prepare(CapabilitySet capabilities) => throw Unsupported();

    public SandboxedStart Wrap(CapabilitySet capabilities, IReadOnlyList<string> launcherOptions, System.Diagnostics.ProcessStartInfo command) => throw Unsupported();

    private NonoException Unsupported() => new(NonoErrorKind.UnsupportedPlatform, Support.Reason!);
}
