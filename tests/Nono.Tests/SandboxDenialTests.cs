using System.Diagnostics;

namespace Nono.Tests;

/// <summary>SandboxedProcess.Start with a SandboxRecording, and the report format it reads.</summary>
public class SandboxDenialTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private static CapabilitySet Toolchain() => new CapabilitySet()
        .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
        .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
        .AllowPath("/etc", AccessMode.Read)
        .AllowFile("/dev/null", AccessMode.ReadWrite);

    private static (RecordedProcess Run, string Out) Run(CapabilitySet caps, SandboxRecording recording, string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-c", script, "sh", .. args])
            psi.ArgumentList.Add(arg);
        var run = SandboxedProcess.Start(caps, psi, recording);
        _ = run.Process.StandardError.ReadToEndAsync();
        var output = run.Process.StandardOutput.ReadToEnd();
        if (!run.Process.WaitForExit(30_000))
            run.Process.Kill(entireProcessTree: true);
        run.Process.WaitForExit();
        return (run, output);
    }

    [Fact]
    public void Denials_NameTheOperationPathAndProcess_AndTheReportIsDeletedOnDispose()
    {
        Landlock.Require();
        var secret = temp.File("secret/key", "s3cret");
        var output = temp.Dir("ro");

        var (run, stdout) = Run(Toolchain().AllowPath(output, AccessMode.Read), SandboxRecording.Denials,
            "cat \"$1\" || echo no-read; echo x > \"$2/new\" || echo no-create; exit 3", secret, output);
        using (run)
        {
            Assert.Equal(3, run.Process.ExitCode);
            Assert.Equal("no-read\nno-create\n", stdout);
            var read = Assert.Single(run.Denials, d => d.Operation == SandboxOperation.Read);
            Assert.Equal((secret, "read", "EACCES", "/usr/bin/cat"), (read.Target, read.OperationName, read.Error, read.Executable));
            Assert.NotEqual(run.Process.Id, read.ProcessId);
            var create = Assert.Single(run.Denials, d => d.Operation == SandboxOperation.Create);
            Assert.Equal(Path.Combine(output, "new"), create.Target);
            Assert.Equal(run.Process.Id, create.ProcessId); // the shell itself: nono-exec became it
            Assert.Null(create.Destination);
            Assert.False(run.DenialsTruncated);
        }
        Assert.DoesNotContain(Directory.GetFiles(Path.GetTempPath(), "nono-*.denials"),
            f => File.ReadAllText(f).Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public void Audit_RunsUnenforced_AndRecordsWhatWouldBeDenied()
    {
        Landlock.Require();
        var secret = temp.File("secret/key", "s3cret");

        var (run, stdout) = Run(Toolchain(), SandboxRecording.Audit, "cat \"$1\"", secret);
        using (run)
        {
            Assert.Equal(0, run.Process.ExitCode);
            Assert.Equal("s3cret", stdout);
            var read = Assert.Single(run.Denials);
            Assert.Equal((SandboxOperation.Read, secret), (read.Operation, read.Target));
            // When, and by which thread: cat has one, the process itself.
            Assert.InRange(read.Time!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
            Assert.Equal(read.ProcessId, read.ThreadId);
        }
    }

    [Fact]
    public void None_RecordsNothing_AndAllowedRunsRecordNothing()
    {
        Landlock.Require();
        var secret = temp.File("secret/key", "s3cret");
        var (none, _) = Run(Toolchain(), SandboxRecording.None, "cat \"$1\"", secret);
        using (none)
            Assert.Empty(none.Denials);

        var (allowed, stdout) = Run(Toolchain().AllowPath(Path.GetDirectoryName(secret)!, AccessMode.Read),
            SandboxRecording.Denials, "cat \"$1\"", secret);
        using (allowed)
        {
            Assert.Equal("s3cret", stdout);
            Assert.Empty(allowed.Denials);
        }
    }

    [Fact]
    public void Denials_BeforeExit_Throw()
    {
        Landlock.Require();
        var psi = new ProcessStartInfo("/bin/sh", "-c \"read x\"") { RedirectStandardInput = true };
        using var run = SandboxedProcess.Start(Toolchain(), psi, SandboxRecording.Denials);
        Assert.Throws<InvalidOperationException>(() => run.Denials);
        run.Process.StandardInput.Close();
        run.Process.WaitForExit();
        Assert.Empty(run.Denials);
    }

    [Fact]
    public void ParseReport_ReadsEveryField_AndUndoesTheEscaping()
    {
        var report = string.Join('\n',
            "read\t/a\\tb\\nc\\\\d\\x01\t42\t/usr/bin/cat\tEACCES",
            "rename\t/src/f\t7\t/usr/bin/mv\tEXDEV\t/dst/f",
            "connect\t127.0.0.1:443\t8\t/usr/bin/curl\tEACCES",
            "listen\tlisten without bind\t9\t-\tEACCES",
            "read\t/secret\t10\t/usr/bin/dotnet\tEACCES\t-\t/usr/bin/dotnet exec VBCSCompiler.dll\\tx\t1796075054081\t11",
            "truncated\t-\t0\t-\t-",
            "read\t/cut-sho") + "\n";

        var (denials, truncated) = SandboxDenial.ParseReport(report);

        Assert.True(truncated);
        Assert.Equal(5, denials.Count);
        Assert.Equal(new SandboxDenial(SandboxOperation.Read, "read", "/a\tb\nc\\d\u0001", null, 42, "/usr/bin/cat", "EACCES"), denials[0]);
        Assert.Equal(new SandboxDenial(SandboxOperation.Rename, "rename", "/src/f", "/dst/f", 7, "/usr/bin/mv", "EXDEV"), denials[1]);
        Assert.Equal(SandboxOperation.Connect, denials[2].Operation);
        Assert.Equal((SandboxOperation.Other, "listen", ""), (denials[3].Operation, denials[3].OperationName, denials[3].Executable));
        Assert.Null(denials[0].CommandLine);
        Assert.Equal((null, "/usr/bin/dotnet exec VBCSCompiler.dll\tx"), (denials[4].Destination, denials[4].CommandLine));
        Assert.Equal((DateTimeOffset.FromUnixTimeMilliseconds(1796075054081), 11), (denials[4].Time, denials[4].ThreadId));
        Assert.Null(denials[0].Time);
    }

    [Fact]
    public void ReadReport_ReadsAFile_AndAMissingOneIsEmpty()
    {
        var path = temp.File("report.tsv", "write\t/out/a\t12\t/usr/bin/touch\tEACCES\n");

        var (denials, truncated) = SandboxDenial.ReadReport(path);

        Assert.False(truncated);
        Assert.Equal(new SandboxDenial(SandboxOperation.Write, "write", "/out/a", null, 12, "/usr/bin/touch", "EACCES"), Assert.Single(denials));
        Assert.Empty(SandboxDenial.ReadReport(temp.Combine("missing")).Denials);
    }

    [Fact]
    public void Unescape_KeepsUtf8_AndRawBytes()
    {
        Assert.Equal("/tmp/été", SandboxDenial.Unescape("/tmp/été"));
        Assert.Equal("/tmp/é\t", SandboxDenial.Unescape("/tmp/\\xc3\\xa9\\t"));
        Assert.Equal("", SandboxDenial.Unescape("-"));
    }

    [Fact]
    public void InvalidRecording_IsAnInvalidArgument()
    {
        var e = Assert.Throws<NonoException>(() =>
            SandboxedProcess.Start(Toolchain(), new ProcessStartInfo("/bin/true"), (SandboxRecording)42));
        Assert.Equal(NonoErrorKind.InvalidArgument, e.Kind);
    }
}
