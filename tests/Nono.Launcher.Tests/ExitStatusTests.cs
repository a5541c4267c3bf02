namespace Nono.Launcher.Tests;

/// <summary>The hand-over to the command: exit statuses (the env/timeout convention) and inherited fds.</summary>
public sealed class ExitStatusTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void LauncherError_Exits125_WithoutRunningTheCommand()
    {
        var marker = temp["marker"];
        var r = Launcher.Run("--bogus-option", "--", "/usr/bin/touch", marker);

        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("nono-exec: error: ", r.StdErr);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void CannotExecute_Exits126()
    {
        Landlock.Require();
        var notExecutable = temp.File("bin/script.sh", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(notExecutable, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var directory = temp.Dir("bin/a-directory");

        foreach (var command in new[] { notExecutable, directory })
        {
            var r = Launcher.Run([.. Launcher.System, "--rox", temp["bin"], "--", command], null);
            Assert.True(r.ExitCode == 126, $"{command}: {r}");
            Assert.Contains("nono-exec: cannot execute: " + command, r.StdErr);
            Assert.Equal("", r.StdOut);
        }
    }

    [Fact]
    public void NotFound_Exits127()
    {
        Landlock.Require();
        foreach (var command in new[] { temp["no-such-program"], "nono-no-such-command-on-path" })
        {
            var r = Launcher.Run([.. Launcher.System, "--", command], null);
            Assert.True(r.ExitCode == 127, $"{command}: {r}");
            Assert.Contains("nono-exec: command not found: " + command, r.StdErr);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(125)]
    [InlineData(255)]
    public void CommandExitStatus_PassesThrough(int status)
    {
        Landlock.Require();
        var r = Launcher.Sh([], $"exit {status}");
        Assert.True(r.ExitCode == status, r.ToString());
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public void SignalDeath_Is128PlusTheSignal()
    {
        Landlock.Require();
        // nono-exec is replaced by the command, so the command's own death is what the parent sees.
        var self = Launcher.Sh([], "kill -TERM $$");
        Assert.True(self.ExitCode == 128 + 15, self.ToString());

        // A child killed inside the sandbox, as the shell reports it.
        var child = Launcher.Sh([], "sh -c 'kill -KILL $$'; echo \"status=$?\"");
        Assert.True(child.ExitCode == 0, child.ToString());
        Assert.Equal("status=137\n", child.StdOut);
    }

    /// <summary>--kill-leftovers: background processes, setsid and double forks included, end with the command.</summary>
    [Fact]
    public void KillLeftovers_EndsEverythingTheCommandStarted_AndKeepsItsStatusAndOutput()
    {
        Landlock.Require();
        var marker = temp["late"];
        var r = Launcher.Sh(["--rw", temp.Path, "--kill-leftovers"],
            """
            sleep 30 &
            (setsid sh -c "sleep 1; touch '$1'" < /dev/null > /dev/null 2>&1 &)
            echo started
            exit 7
            """, marker);

        Assert.Equal((7, "started\n"), (r.ExitCode, r.StdOut));
        Thread.Sleep(1500);
        Assert.False(File.Exists(marker), "a process the command left running went on after it");

        Assert.Equal(143, Launcher.Sh(["--kill-leftovers"], "kill -TERM $$").ExitCode); // a signal death stays one
        Assert.Equal(127, Launcher.Sh(["--kill-leftovers"], "exit 127").ExitCode);
    }

    /// <summary>
    /// --kill-leftovers' supervisor stays outside the command's sandbox: the command cannot stop,
    /// kill or trace it (Landlock's signal scope and ptrace rule), as root or as an ordinary user,
    /// and what it starts afterwards still ends with it.
    /// </summary>
    [Theory]
    [InlineData("root")]
    [InlineData("nobody")]
    public void KillLeftovers_TheCommandCannotStopKillOrTraceItsSupervisor(string user)
    {
        Landlock.Require(6);
        if (user != "root")
            Nono.Testing.Root.Require("to run the command as another user (setpriv)");
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);
        var marker = temp["late"];
        const string script = Launcher.PythonPrelude + """

            import ctypes, os, signal, subprocess, time
            supervisor = os.getppid()
            libc = ctypes.CDLL(None, use_errno=True)
            libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
            def ptrace(request):
                if libc.ptrace(request, supervisor, None, None) != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e))
            attempt("sigstop", lambda: os.kill(supervisor, signal.SIGSTOP))
            attempt("sigkill", lambda: os.kill(supervisor, signal.SIGKILL))
            attempt("pidfd-sigkill", lambda: signal.pidfd_send_signal(os.pidfd_open(supervisor), signal.SIGKILL))
            os.setpgid(0, 0)  # out of the supervisor's process group, so the group kill does not end this process
            attempt("process-group-sigkill", lambda: os.killpg(os.getpgid(supervisor), signal.SIGKILL))
            attempt("ptrace-attach", lambda: ptrace(16))
            attempt("ptrace-seize", lambda: ptrace(0x4206))
            attempt("proc-mem", lambda: open(f"/proc/{supervisor}/mem", "rb"))
            subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(1); open({sys.argv[1]!r}, 'w').write('late')"],
                             start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print("supervisor", supervisor, "alive", os.path.exists(f"/proc/{supervisor}"))
            """;
        string[] launcher = [Launcher.Path, .. Launcher.System, "--ro", "/proc", "--rw", temp.Path, "--kill-leftovers", "--",
                             Launcher.PythonPath, "-c", script, marker];
        var r = user == "root"
            ? Launcher.RunProcess("/usr/bin/setsid", ["-w", .. launcher]) // its own process group, so the group kill reaches nothing else
            : Launcher.RunProcess("/usr/bin/setsid", ["-w", "/usr/bin/setpriv", "--reuid", user, "--regid", "nogroup", "--clear-groups", .. launcher]);

        Assert.True(r.ExitCode == 0, r.ToString()); // the supervisor was there to pass the command's status on
        foreach (var what in new[] { "sigstop", "sigkill", "pidfd-sigkill", "process-group-sigkill", "ptrace-attach", "ptrace-seize" })
            Assert.True(r.StdOut.Contains($"{what} EPERM"), $"{what}: {r}");
        Assert.True(r.StdOut.Contains("proc-mem EACCES"), r.ToString());
        Thread.Sleep(1500);
        Assert.False(File.Exists(marker), "a process the command started after its attempts went on after it");
    }

    /// <summary>Also where close_range is refused (kernels before 5.9, some container profiles): then /proc/self/fd is listed.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FileDescriptorsAbove2_AreClosedBeforeExec(bool closeRangeRefused)
    {
        Landlock.Require();
        // The outer shell (not sandboxed) opens fds 7 and 8 without close-on-exec, then runs
        // the same probe once directly (control) and once under nono-exec.
        const string probe = "for fd in 7 8; do if { true <&$fd; } 2>/dev/null; then echo fd$fd-open; else echo fd$fd-closed; fi; done";
        var outer = $"""
            exec 7</etc/hostname 8>/dev/null
            /bin/sh -c '{probe}'
            "$0" "$@" /bin/sh -c '{probe}'
            """;

        string[] command = ["/bin/sh", "-c", outer, Launcher.Path, .. Launcher.System, "--"];
        const int closeRange = 436, EPERM = 1;
        var r = closeRangeRefused
            ? Launcher.RunProcess(Launcher.PythonPath, Nono.Testing.SyscallRefusal.Arguments(closeRange, closeRange, EPERM, command))
            : Launcher.RunProcess(command[0], command[1..]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("fd7-open\nfd8-open\nfd7-closed\nfd8-closed\n", r.StdOut);
    }
}
