using System.Diagnostics;

namespace Nono.Build.Tasks.Tests;

/// <summary>
/// On macOS SandboxExec puts the step's Seatbelt profile on sandbox-exec's command line through
/// ProcessStartInfo.Arguments (SandboxExec.MacOS.cs). That the profile arrives byte for byte is
/// checked here, on any Unix; that sandbox-exec enforces it, only on macOS (.github/workflows/macos.yml).
/// </summary>
public class SeatbeltCommandLineTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("nono \"quoted\\ dir").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void AProfile_ReachesTheCommand_ByteForByte_ThroughExecsArguments()
    {
        var caps = new CapabilitySet().AllowPath(temp, AccessMode.ReadWrite).SetNetworkMode(NetworkMode.ProxyOnly).AllowTcpConnect(3128);
        var profile = SeatbeltProfile.Generate(caps);
        Assert.Contains('\n', profile);
        Assert.Contains("\\\"", profile);

        // As WrapInSeatbelt quotes "-p PROFILE --", with a shell printing the argument it got in place of sandbox-exec.
        var arguments = $"-c {LauncherCommandLine.Quote("printf %s \"$1\"")} sh {LauncherCommandLine.Join([profile, "--"])}";
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", arguments) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();

        Assert.Equal(profile, output);
    }

    [Fact]
    public void TheMacOSDefault_HasTheToolchains_AndNothingOfHome()
    {
        foreach (var path in new[] { "/Library/Developer/CommandLineTools", "/Applications/Xcode.app", "/opt/homebrew", "/usr/local", "/usr", "/bin" })
            Assert.Contains(path, DefaultPolicy.MacOSToolchain);
        Assert.DoesNotContain(DefaultPolicy.MacOSToolchain, p => p.StartsWith("/Users", StringComparison.Ordinal) || p.Contains('~'));
    }
}
