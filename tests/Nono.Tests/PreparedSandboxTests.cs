using System.Diagnostics;

namespace Nono.Tests;

public sealed class PreparedSandboxTests : IDisposable
{
    private readonly TempDir temp = new();

    private const string RulesetLink = "anon_inode:[landlock-ruleset]";

    public void Dispose() => temp.Dispose();

    private static (int ExitCode, string Out, string Err) Run(PreparedSandbox sandbox, string command)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = SandboxedProcess.Start(sandbox, psi);
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim(), err.Result);
    }

    [Fact]
    public void PreparedOnce_EnforcesTheSameGrants_ForEveryProcess()
    {
        Landlock.Require();
        var data = temp.File("data/in.txt", "hello");
        var secret = temp.File("secret/key", "s3cret");
        var outDir = temp.Dir("out");
        var caps = new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath(Path.GetDirectoryName(data)!, AccessMode.Read)
            .AllowPath(outDir, AccessMode.ReadWrite);
        using var sandbox = Sandbox.Prepare(caps);
        caps.AllowPath(Path.GetDirectoryName(secret)!, AccessMode.Read); // the prepared copy is not widened

        for (var i = 0; i < 3; i++)
        {
            var read = Run(sandbox, $"cat {data}");
            Assert.Equal((0, "hello"), (read.ExitCode, read.Out));
            Assert.Equal(0, Run(sandbox, $"echo {i} > {outDir}/out{i}").ExitCode);
            var denied = Run(sandbox, $"cat {secret}");
            Assert.Equal(1, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Err);
        }
        Assert.Equal("2", File.ReadAllText(Path.Combine(outDir, "out2")).Trim());
    }

    [Fact]
    public void TheChild_GetsNoDescriptorBeyondItsStandardStreams_AndTheLaunchCopyIsClosed()
    {
        Landlock.Require();
        using var sandbox = Sandbox.Prepare(new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/proc", AccessMode.Read));
        string copy;
        using (var launch = sandbox.BeginLaunch())
        {
            Assert.Equal("--ruleset-fd", launch.LauncherArguments[0]);
            copy = launch.LauncherArguments[1];
            Assert.Equal(RulesetLink, new FileInfo($"/proc/self/fd/{copy}").LinkTarget);
        }
        Assert.NotEqual(RulesetLink, new FileInfo($"/proc/self/fd/{copy}").LinkTarget);

        Assert.Equal("0 1 2", Run(sandbox, "ls /proc/$$/fd").Out.ReplaceLineEndings(" "));
    }

    [Fact]
    public void IsCurrent_TurnsFalse_WhenAWritableGrantIsReplaced()
    {
        Landlock.Require();
        var outDir = temp.Dir("out");
        using var sandbox = Sandbox.Prepare(new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath(outDir, AccessMode.ReadWrite));
        Assert.True(sandbox.IsCurrent);

        Directory.Delete(outDir);
        Directory.CreateDirectory(outDir);

        Assert.False(sandbox.IsCurrent);
        Assert.NotEqual(0, Run(sandbox, $"touch {outDir}/x").ExitCode); // bound to the old folder
        using var again = Sandbox.Prepare(sandbox.Capabilities);
        Assert.True(again.IsCurrent);
        Assert.Equal(0, Run(again, $"touch {outDir}/x").ExitCode);
    }

    [Fact]
    public void ALaunchThatRecords_ReportsTheDenials_AndAuditLetsThemHappen()
    {
        Landlock.Require();
        var secret = temp.File("secret/key", "s3cret");
        using var sandbox = Sandbox.Prepare(new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/etc", AccessMode.Read));

        foreach (var recording in new[] { SandboxRecording.Denials, SandboxRecording.Audit })
        {
            var launch = sandbox.BeginLaunch(recording);
            var psi = new ProcessStartInfo(SandboxedProcess.LauncherPath) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])[.. launch.LauncherArguments, "--", "/bin/cat", secret])
                psi.ArgumentList.Add(arg);
            using (var p = Process.Start(psi)!)
            {
                var output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.Equal(recording == SandboxRecording.Audit ? (0, "s3cret") : (1, ""), (p.ExitCode, output));
            }

            var (denials, truncated) = launch.ReadDenials();
            var denial = Assert.Single(denials);
            Assert.Equal((SandboxOperation.Read, secret, "/usr/bin/cat"), (denial.Operation, denial.Target, denial.Executable));
            Assert.False(truncated);
            launch.Dispose();
            Assert.Empty(launch.ReadDenials().Denials); // the report is gone
        }
        using var plain = sandbox.BeginLaunch();
        Assert.False(plain.Records);
        Assert.DoesNotContain("--report", plain.LauncherArguments);
    }

    [Fact]
    public void Errors_AreTyped()
    {
        Landlock.Require();
        var missing = new CapabilitySet().AllowPath(temp.Dir("gone"), AccessMode.Read);
        Directory.Delete(Path.Combine(temp.Path, "gone"));
        Assert.Equal(NonoErrorKind.PathNotFound, Assert.Throws<NonoException>(() => Sandbox.Prepare(missing)).Kind);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => Sandbox.Prepare(null!)).Kind);

        var sandbox = Sandbox.Prepare(new CapabilitySet().AllowPath("/usr", AccessMode.Read));
        sandbox.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sandbox.BeginLaunch());
    }
}
