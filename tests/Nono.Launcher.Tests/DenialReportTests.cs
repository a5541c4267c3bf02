using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nono.Launcher.Tests;

/// <summary>
/// --report and --audit: every access the sandbox denies, written down with its path or
/// destination, the operation and the process, for the command's whole process tree.
/// </summary>
public sealed class DenialReportTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>One report line: op, target, pid, exe, errno [, destination].</summary>
    private sealed record Denial(string Op, string Target, int Pid, string Exe, string Errno, string? Destination)
    {
        public override string ToString() => $"{Op} {Target} {Pid} {Exe} {Errno} {Destination}";
    }

    private sealed record Recorded(Launcher.Result Result, IReadOnlyList<Denial> Denials, string RawReport)
    {
        public override string ToString() => $"{Result}\nreport:\n{RawReport}";

        public Denial Single(string op, string target)
        {
            var matches = Denials.Where(d => d.Op == op && d.Target == target).ToList();
            Assert.True(matches.Count == 1, $"expected one '{op} {target}' denial\n{this}");
            return matches[0];
        }

        public void None(string op, string target) =>
            Assert.False(Denials.Any(d => d.Op == op && d.Target == target), $"unexpected '{op} {target}' denial\n{this}");
    }

    private static string Unescape(string field)
    {
        if (field == "-")
            return "";
        var text = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                text.Append(field[i]);
                continue;
            }
            var c = field[++i];
            if (c == 'x')
            {
                text.Append((char)int.Parse(field.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
                continue;
            }
            text.Append(c switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => c });
        }
        return text.ToString();
    }

    private static List<Denial> Parse(string report) =>
        report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split('\t');
            Assert.True(f.Length == 9, $"malformed report line: {line}");
            // When (milliseconds since the epoch, within the last minute) and by which thread.
            Assert.InRange(long.Parse(f[7], CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.True(int.Parse(f[8], CultureInfo.InvariantCulture) > 0, $"no thread: {line}");
            return new Denial(f[0], Unescape(f[1]), int.Parse(f[2], CultureInfo.InvariantCulture), Unescape(f[3]), f[4],
                f[5] == "-" ? null : Unescape(f[5]));
        }).ToList();

    private Recorded Run(IEnumerable<string> options, IEnumerable<string> command, string? workingDirectory = null)
    {
        var report = temp["report-" + Guid.NewGuid().ToString("N")[..8] + ".tsv"];
        var result = Launcher.Run([.. Launcher.System, .. options, "--report", report, "--", .. command], workingDirectory);
        var text = File.Exists(report) ? File.ReadAllText(report) : "";
        return new Recorded(result, Parse(text), text);
    }

    private Recorded Sh(IEnumerable<string> options, string script, params string[] args) =>
        Run(options, ["/bin/sh", "-c", script, "sh", .. args], temp.Path);

    private Recorded Python(IEnumerable<string> options, string script, params string[] args) =>
        Run(["--rox", Path.GetDirectoryName(Path.GetDirectoryName(Launcher.PythonPath))!, .. options],
            [Launcher.PythonPath, "-c", Launcher.PythonPrelude + "\n" + script, .. args], temp.Path);

    [Fact]
    public void Read_Write_Create_Delete_Truncate_Execute_AreReported_WithPathAndOperation()
    {
        Landlock.Require(3);
        var ro = temp.Dir("ro");
        var secret = temp.File("secret/key", "secret");
        var existing = temp.File("ro/existing", "keep");
        var doomed = temp.File("ro/doomed", "keep");
        var program = Path.Combine(ro, "program");
        File.Copy("/usr/bin/true", program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var r = Sh(["--ro", ro],
            """
            cat "$1/secret/key"
            echo more >> "$1/ro/existing"
            echo new > "$1/ro/new"
            mkdir "$1/ro/dir"
            rm -f "$1/ro/doomed"
            true > "$1/ro/existing"
            "$1/ro/program"
            exit 0
            """, temp.Path);

        Assert.True(r.Result.ExitCode == 0, r.ToString());
        Assert.Equal("EACCES", r.Single("read", secret).Errno);
        r.Single("write", existing);
        r.Single("create", Path.Combine(ro, "new"));
        r.Single("create", Path.Combine(ro, "dir"));
        r.Single("delete", doomed);
        r.Single("execute", program);
        // "> file" opens with O_TRUNC for writing: the missing right is write, reported once.
        Assert.Equal("keep", File.ReadAllText(existing));
        Assert.True(File.Exists(doomed));

        var truncate = Python(["--ro", ro], """
            import os
            attempt("truncate", lambda: os.truncate(sys.argv[1], 0))
            attempt("open-trunc", lambda: os.open(sys.argv[1], os.O_RDONLY | os.O_TRUNC))
            """, existing);
        Assert.Contains("truncate EACCES", truncate.Result.StdOut);
        Assert.Equal("EACCES", truncate.Single("truncate", existing).Errno);
    }

    [Fact]
    public void RenameAndLink_AreReported_WithBothPaths_IncludingCrossRuleExdev()
    {
        Landlock.Require(2);
        var rw = temp.Dir("rw");
        var rwx = temp.Dir("rwx");
        var ro = temp.Dir("ro");
        var file = temp.File("rw/file", "content");
        var kept = temp.File("ro/kept", "content");

        var r = Python(["--rw", rw, "--rwx", rwx, "--ro", ro], """
            import os
            rw, rwx, ro = sys.argv[1:4]
            attempt("exdev", lambda: os.rename(rw + "/file", rwx + "/file"))
            attempt("rename-out", lambda: os.rename(ro + "/kept", rw + "/kept"))
            attempt("link-in", lambda: os.link(rw + "/file", ro + "/link"))
            attempt("rename-same-dir", lambda: os.rename(rw + "/file", rw + "/renamed"))
            """, rw, rwx, ro);

        Assert.True(r.Result.StdOut.Contains("exdev EXDEV") && r.Result.StdOut.Contains("rename-out EACCES")
            && r.Result.StdOut.Contains("link-in EACCES") && r.Result.StdOut.Contains("rename-same-dir ok"), r.ToString());
        var exdev = r.Single("rename", file);
        Assert.Equal("EXDEV", exdev.Errno);
        Assert.Equal(Path.Combine(rwx, "file"), exdev.Destination);
        var outOfRo = r.Single("rename", kept);
        Assert.Equal(("EACCES", Path.Combine(rw, "kept")), (outOfRo.Errno, outOfRo.Destination));
        var link = r.Single("link", file);
        Assert.Equal(Path.Combine(ro, "link"), link.Destination);
        Assert.DoesNotContain(r.Denials, d => d.Destination == Path.Combine(rw, "renamed"));
    }

    [Fact]
    public void TcpConnectAndBind_AreReported_WithAddressAndPort()
    {
        Landlock.Require(4);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
            var r = Python([], """
                def connect():
                    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5):
                        pass
                def bind():
                    with socket.socket(socket.AF_INET6) as s:
                        s.bind(("::1", 47123))
                attempt("connect", connect)
                attempt("bind", bind)
                """, port);

            Assert.True(r.Result.StdOut.Contains("connect EACCES") && r.Result.StdOut.Contains("bind EACCES"), r.ToString());
            r.Single("connect", "127.0.0.1:" + port);
            r.Single("bind", "[::1]:47123");
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void RefusedSocketFamilies_AreReported_AndStayRefused()
    {
        Landlock.Require(4);
        var r = Python([], """
            attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
            attempt("tcp", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            """);

        Assert.True(r.Result.StdOut.Contains("udp EACCES") && r.Result.StdOut.Contains("unix EACCES")
            && r.Result.StdOut.Contains("tcp ok"), r.ToString());
        Assert.Equal("EACCES", r.Single("socket", "AF_INET SOCK_DGRAM").Errno);
        r.Single("socket", "AF_UNIX SOCK_STREAM");
        Assert.DoesNotContain(r.Denials, d => d.Target.StartsWith("AF_INET SOCK_STREAM", StringComparison.Ordinal));
    }

    [Fact]
    public void ProcessTree_ShChildGrandchild_EachDenialNamesItsOwnProcess()
    {
        Landlock.Require();
        var a = temp.File("secret/a", "a");
        var b = temp.File("secret/b", "b");
        var c = temp.File("secret/c", "c");

        var r = Sh([],
            """
            cat "$1/a" 2>/dev/null
            sh -c 'head -c1 "$1/b" 2>/dev/null; sh -c "tail -c1 \"\$1/c\" 2>/dev/null" sh "$1"' sh "$1"
            echo done
            """, temp["secret"]);

        Assert.True(r.Result.ExitCode == 0 && r.Result.StdOut == "done\n", r.ToString());
        var fromCat = r.Single("read", a);
        var fromHead = r.Single("read", b);
        var fromTail = r.Single("read", c);
        Assert.Equal(("/usr/bin/cat", "/usr/bin/head", "/usr/bin/tail"), (fromCat.Exe, fromHead.Exe, fromTail.Exe));
        Assert.Equal(3, new[] { fromCat.Pid, fromHead.Pid, fromTail.Pid }.Distinct().Count());
    }

    [Fact]
    public void ToolThatToleratesEacces_Succeeds_AndIsReported()
    {
        Landlock.Require();
        var secret = temp.File("secret/config", "x");

        var r = Sh([], "cat \"$1\" 2>/dev/null || echo fallback; exit 0", secret);

        Assert.True(r.Result.ExitCode == 0 && r.Result.StdOut == "fallback\n", r.ToString());
        r.Single("read", secret);
    }

    [Fact]
    public void RepeatedDenial_IsReportedOnce()
    {
        Landlock.Require();
        var secret = temp.File("secret/config", "x");

        var r = Sh([], "for i in 1 2 3; do cat \"$1\" 2>/dev/null; done; exit 0", secret);

        r.Single("read", secret);
    }

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 42", 42)]
    [InlineData("kill -TERM $$", 128 + 15)]
    [InlineData("kill -KILL $$", 128 + 9)]
    public void ExitStatusAndSignals_PassThrough(string script, int expected)
    {
        Landlock.Require();
        var r = Sh([], script);
        Assert.True(r.Result.ExitCode == expected, r.ToString());
    }

    [Fact]
    public void Output_PassesThroughByteExact()
    {
        Landlock.Require();
        // 10 MB on stdout and 1 MB on stderr, through the traced tree (dd and tr are traced).
        var r = Sh(["--ro", "/dev/zero"],
            "head -c 10000000 /dev/zero | tr '\\0' 'o'; head -c 1000000 /dev/zero | tr '\\0' 'e' >&2");

        Assert.Equal(0, r.Result.ExitCode);
        Assert.Equal(10_000_000, r.Result.StdOut.Length);
        Assert.True(r.Result.StdOut.All(c => c == 'o'));
        Assert.Equal(1_000_000, r.Result.StdErr.Length);
        Assert.True(r.Result.StdErr.All(c => c == 'e'));
        Assert.Empty(r.Denials);
    }

    [Fact]
    public void AllowedOnlyRun_ReportsNothing_AndTheReportIsPrivate()
    {
        Landlock.Require();
        var rw = temp.Dir("rw");
        var report = temp["report.tsv"];

        // /proc: mkdir and mv read /proc/filesystems (libselinux).
        var r = Launcher.Run([.. Launcher.System, "--rw", rw, "--ro", "/proc", "--report", report, "--",
            "/bin/sh", "-c", "echo x > \"$1/a\"; cat \"$1/a\"; mkdir \"$1/d\"; mv \"$1/a\" \"$1/d/b\"; rm -r \"$1/d\"", "sh", rw], rw);

        Assert.True(r.ExitCode == 0 && r.StdOut == "x\n", r.ToString());
        Assert.Equal("", File.ReadAllText(report));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(report));
    }

    [Fact]
    public void Report_IsNotInheritedByTheCommand_AndTheCommandIsTracedOnlyWhenRecording()
    {
        Landlock.Require();
        const string script = "ls /proc/self/fd | tr '\\n' ' '; echo; grep TracerPid /proc/self/status";

        var recorded = Sh(["--ro", "/proc"], script);
        var plain = Launcher.Sh(["--ro", "/proc"], script);

        // ls's own directory descriptor is the 3.
        Assert.True(recorded.Result.StdOut.StartsWith("0 1 2 3 \n", StringComparison.Ordinal), recorded.ToString());
        Assert.DoesNotContain("TracerPid:\t0", recorded.Result.StdOut);
        Assert.Contains("TracerPid:\t0", plain.StdOut);
    }

    /// <summary>
    /// The recorder's tracer runs outside the sandbox, and so does the --kill-leftovers supervisor
    /// beside it (as the SDK runs a step with SandboxDiagnostics): the command can stop, kill or
    /// trace neither, and what it started still ends with it.
    /// </summary>
    [Fact]
    public void TheCommand_CannotStopKillOrTraceTheRecorderOrItsSupervisor()
    {
        Landlock.Require(6);
        var report = temp["tracer.tsv"];
        var marker = temp["late"];
        const string script = Launcher.PythonPrelude + """

            import ctypes, os, signal, subprocess
            tracer = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("TracerPid:")][0])
            supervisor = os.getppid()
            libc = ctypes.CDLL(None, use_errno=True)
            libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
            def ptrace(pid):
                if libc.ptrace(0x4206, pid, None, None) != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e))
            for name, pid in (("tracer", tracer), ("supervisor", supervisor)):
                print(name, "is", "traced-by-nobody" if pid == 0 else "set")
                attempt(name + "-sigstop", lambda: os.kill(pid, signal.SIGSTOP))
                attempt(name + "-sigkill", lambda: os.kill(pid, signal.SIGKILL))
                attempt(name + "-seize", lambda: ptrace(pid))
            subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(1); open({sys.argv[1]!r}, 'w').write('late')"],
                             start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            """;

        var r = Launcher.Python(["--rw", temp.Path, "--ro", "/proc", "--kill-leftovers", "--report", report], script, marker);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("traced-by-nobody", r.StdOut);
        foreach (var who in new[] { "tracer", "supervisor" })
            foreach (var what in new[] { "sigstop", "sigkill", "seize" })
                Assert.True(r.StdOut.Contains($"{who}-{what} EPERM"), $"{who}-{what}: {r}");
        Thread.Sleep(1500);
        Assert.False(File.Exists(marker), "a process the command started went on after it");
    }

    [Fact]
    public void SandboxUnrelatedEacces_IsNotReported()
    {
        Landlock.Require();
        Nono.Testing.Root.Require("to run the command as another user (setpriv)");
        // A 000 file in a granted directory: EACCES from the file mode, not from the sandbox.
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);
        var dir = temp.Dir("granted");
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var locked = temp.File("granted/locked", "x");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        var secret = temp.File("granted/../outside", "x");
        File.SetUnixFileMode(secret, (UnixFileMode)0b110_100_100);
        var report = temp["nobody-report.tsv"];

        var r = Launcher.RunProcess("/usr/bin/setpriv",
            ["--reuid", "nobody", "--regid", "nogroup", "--clear-groups", Launcher.Path,
             .. Launcher.System, "--rw", dir, "--report", report, "--",
             "/bin/sh", "-c", "cat \"$1\"; cat \"$2\"; exit 0", "sh", locked, secret]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Permission denied", r.StdErr);
        var denials = Parse(File.ReadAllText(report));
        Assert.DoesNotContain(denials, d => d.Target == locked);
        Assert.Contains(denials, d => d.Op == "read" && d.Target == Path.GetFullPath(secret));
    }

    /// <summary>With --kill-leftovers (as the SDK runs every step) the supervisor's own work is no denial of the command's.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Audit_LetsTheAccessHappen_AndReportsIt(bool killLeftovers)
    {
        Landlock.Require(4);
        var secret = temp.File("secret/key", "the secret");
        var ro = temp.Dir("ro");
        var report = temp["audit.tsv"];

        var r = Launcher.Run([.. Launcher.System, "--ro", ro, .. killLeftovers ? ["--kill-leftovers"] : Array.Empty<string>(), "--audit", "--report", report, "--",
            Launcher.PythonPath, "-c", Launcher.PythonPrelude + "\n" + """
                print(open(sys.argv[1]).read())
                open(sys.argv[2] + "/new", "w").write("x")
                attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close())
                """, secret, ro], temp.Path);
        var denials = Parse(File.ReadAllText(report));

        Assert.True(r.ExitCode == 0 && r.StdOut.Contains("the secret") && r.StdOut.Contains("udp ok"), r.ToString());
        Assert.True(File.Exists(Path.Combine(ro, "new")));
        Assert.Contains(denials, d => d.Op == "read" && d.Target == secret);
        Assert.Contains(denials, d => d.Op == "create" && d.Target == Path.Combine(ro, "new"));
        Assert.Contains(denials, d => d.Op == "socket" && d.Target == "AF_INET SOCK_DGRAM");
        Assert.DoesNotContain(denials, d => d.Target.StartsWith("/proc/", StringComparison.Ordinal));
    }

    [Fact]
    public void Audit_WithoutReport_IsALauncherError()
    {
        var r = Launcher.Run("--audit", "--", "/bin/true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--audit needs --report", r.StdErr);
    }

    [Fact]
    public void PathsWithTabsAndNewlines_AreEscaped()
    {
        Landlock.Require();
        var odd = temp.File("secret/a\tb\nc\\d", "x");

        var r = Sh([], "cat \"$1\" 2>/dev/null; exit 0", odd);

        Assert.Contains("\\t", r.RawReport);
        Assert.Contains("\\n", r.RawReport);
        Assert.Contains("\\\\", r.RawReport);
        r.Single("read", odd);
    }

    [Fact]
    public void RelativeGrantsAndPaths_ResolveFromTheWorkingDirectory()
    {
        Landlock.Require();
        temp.Dir("allowed");
        temp.Dir("denied");

        var r = Run(["--rw", "allowed"], ["/bin/sh", "-c", "echo x > allowed/f; echo y > denied/f; exit 0"], temp.Path);

        Assert.True(r.Result.ExitCode == 0 && File.Exists(temp["allowed/f"]), r.ToString());
        Assert.Equal(temp["denied/f"], Assert.Single(r.Denials).Target);
    }

    [Fact]
    public void ProcSelf_NamesTheDeniedProcess_NotTheRecorder()
    {
        Landlock.Require();
        var r = Sh([], "cat /proc/self/status 2>/dev/null; exit 0");

        var denial = Assert.Single(r.Denials, d => d.Exe == "/usr/bin/cat");
        Assert.Equal($"/proc/{denial.Pid}/status", denial.Target);
    }

    [Fact]
    public void DeniedInterpreter_IsReported_NotTheAllowedScript()
    {
        Landlock.Require();
        var interpreter = Path.Combine(temp.Dir("interp"), "sh");
        File.Copy("/bin/dash", interpreter);
        var script = temp.File("bin/tool", $"#!{interpreter}\necho ran\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);

        // The script may be executed; its interpreter only read.
        var r = Run(["--rox", temp["bin"], "--ro", temp["interp"]], [script]);

        Assert.True(r.Result.ExitCode == 126, r.ToString());
        r.Single("execute", interpreter);
        r.None("execute", script);
    }

    [Fact]
    public void DeniedCommand_Exits126_AndIsReported()
    {
        Landlock.Require();
        var program = temp.File("bin/tool", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(program, (UnixFileMode)0b111_101_101);

        var r = Run(["--ro", temp["bin"]], [program]);

        Assert.True(r.Result.ExitCode == 126, r.ToString());
        r.Single("execute", program);
    }
}
