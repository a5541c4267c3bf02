using System.Diagnostics;

namespace Nono.Tests;

public class SandboxedProcessTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private static CapabilitySet Toolchain() => new CapabilitySet()
        .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
        .AllowPath("/lib", AccessMode.Read | AccessMode.Execute);

    private static (int ExitCode, string Out, string Err) Run(CapabilitySet caps, ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = SandboxedProcess.Start(caps, psi);
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void AllowedRead_Works_DeniedRead_IsRefusedByTheKernel()
    {
        Landlock.Require();
        var allowed = temp.File("allowed/data.txt", "hello");
        var secret = temp.File("secret/key", "s3cret");

        var caps = Toolchain().AllowPath(Path.GetDirectoryName(allowed)!, AccessMode.Read);
        var ok = Run(caps, new ProcessStartInfo("/bin/cat", allowed));
        Assert.Equal((0, "hello"), (ok.ExitCode, ok.Out));

        var denied = Run(caps, new ProcessStartInfo("/bin/cat", secret));
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Err);
        Assert.Empty(denied.Out);
    }

    [Fact]
    public void Write_NeedsAWriteGrant()
    {
        Landlock.Require();
        var outDir = temp.Dir("out");
        var target = Path.Combine(outDir, "made");

        var readOnly = Run(Toolchain().AllowPath(outDir, AccessMode.Read), new ProcessStartInfo("/usr/bin/touch", target));
        Assert.NotEqual(0, readOnly.ExitCode);
        Assert.False(File.Exists(target));

        var writable = Run(Toolchain().AllowPath(outDir, AccessMode.ReadWrite), new ProcessStartInfo("/usr/bin/touch", target));
        Assert.Equal(0, writable.ExitCode);
        Assert.True(File.Exists(target));
    }

    [Fact]
    public void ArgumentsString_ArgumentList_EnvironmentAndWorkingDirectory_ArePassedThrough()
    {
        Landlock.Require();
        var dir = temp.Dir("wd");
        var psi = new ProcessStartInfo("/bin/sh", "-c \"echo \\\"$1\\\" $NONO_TEST_VALUE $(pwd)\" sh \"two words\"") { WorkingDirectory = dir };
        psi.Environment["NONO_TEST_VALUE"] = "from-env";

        var result = Run(Toolchain().AllowPath(dir, AccessMode.Read), psi);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"two words from-env {dir}\n", result.Out);
    }

    [Fact]
    public void ExitCodes_AreTheCommandsOwn_Or126_127()
    {
        Landlock.Require();
        var psi = new ProcessStartInfo("/bin/sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exit 42");
        Assert.Equal(42, Run(Toolchain(), psi).ExitCode);
        Assert.Equal(127, Run(Toolchain(), new ProcessStartInfo("no-such-command-anywhere")).ExitCode);

        var tool = temp.File("tool.sh", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        Assert.Equal(126, Run(Toolchain().AllowPath(temp.Path, AccessMode.Read), new ProcessStartInfo(tool)).ExitCode);
        Assert.Equal((0, "ran\n"), Run(Toolchain().AllowPath(temp.Path, AccessMode.Read | AccessMode.Execute), new ProcessStartInfo(tool)) is var r ? (r.ExitCode, r.Out) : default);
    }

    [Fact]
    public void AGrantThatNoLongerExists_FailsWith125_NamingIt()
    {
        Landlock.Require();
        var gone = temp.Dir("gone");
        var caps = Toolchain().AllowPath(gone, AccessMode.Read);
        Directory.Delete(gone);

        var result = Run(caps, new ProcessStartInfo("/bin/true"));

        Assert.Equal(125, result.ExitCode);
        Assert.Equal($"nono-exec: error: path not found: {gone}\n", result.Err);
    }

    [Fact]
    public void LargePolicies_GoThroughAnOptionsFile()
    {
        Landlock.Require();
        var caps = Toolchain();
        for (var i = 0; i < 1500; i++)
            caps.AllowPath(temp.Dir($"many/{i:D4}-{new string('x', 40)}"), AccessMode.Read);
        var last = temp.File($"many/1499-{new string('x', 40)}/f", "last");

        var result = Run(caps, new ProcessStartInfo("/bin/cat", last));

        Assert.Equal((0, "last"), (result.ExitCode, result.Out));
    }

    [Fact]
    public void ShellExecute_IsRefused() =>
        Assert.Equal(NonoErrorKind.InvalidArgument,
            Assert.Throws<NonoException>(() => SandboxedProcess.Start(Toolchain(), new ProcessStartInfo("/bin/true") { UseShellExecute = true })).Kind);
}
