using System.Security.Cryptography;

namespace Nono.Build.Sdk.Tests.Escape;

/// <summary>
/// What one operation of an attempt must get, as the build's user and as an unprivileged user: an
/// errno name (EACCES, EPERM, …) or a word the attempt script uses (NO-GAIN, NOT-PASSED), and
/// what refuses it, for the table.
/// </summary>
public sealed record Expected(string Code, string By);

/// <summary>One operation of an attempt, identified in the attempt's log by <paramref name="Id"/>.</summary>
public sealed record EscapeOperation(string Id, string What, Expected Root, Expected Unprivileged)
{
    public EscapeOperation(string id, string what, Expected both) : this(id, what, both, both)
    {
    }

    public Expected For(EscapeIdentity identity) => identity == EscapeIdentity.Root ? Root : Unprivileged;
}

/// <summary>
/// One escape attempt: a sandboxed build step (Escape/attempts/<c>Name</c>.py) that tries each of
/// its operations, and what must be true of its target afterwards.
/// </summary>
public sealed record EscapeAttempt(
    string Name,
    string Title,
    EscapeOperation[] Operations,
    string Target,
    Action<EscapeRun> AssertTargetUntouched)
{
    /// <summary>Environment variables the project's Exec passes to the step (EnvironmentVariables).</summary>
    public string StepEnvironment { get; init; } = "";

    /// <summary>The step's exit code when nothing escaped (MSB3073 names it).</summary>
    public int ExitCode { get; init; } = 1;
}

public static class EscapeCatalog
{
    private static readonly Expected LandlockFs = new("EACCES", "Landlock (filesystem)");
    private static readonly Expected LandlockTcp = new("EACCES", "Landlock (TCP port)");
    private static readonly Expected LandlockPtrace = new("EACCES", "Landlock (ptrace rule)");
    private static readonly Expected SeccompSocket = new("EACCES", "seccomp (socket family)");
    private static readonly Expected SeccompIpc = new("EPERM", "seccomp (keyrings and IPC)");
    private static readonly Expected StateCaught = new("ALLOWED", "written (the step's output folder), then found by the SDK after the step, deleted, NONO3003");
    private static readonly Expected NoSpecialFiles = new("EACCES", "Landlock (no FIFO, socket or device right in the outputs)");

    /// <summary>The state files msbuild-state.py writes (in obj/Debug/net10.0/), and what the SDK must say about each ({0}: the quoted path).</summary>
    public static readonly (string File, string Change)[] StateFiles =
    [
        ("escape.assets.cache", "changed {0}"),
        ("escape.csproj.AssemblyReference.cache", "created {0}"), // a library without references outside the framework has none
        ("escape.csproj.GenerateResource.cache", "created {0}"),
        ("escape.csproj.CoreCompileInputs.cache", "changed {0} and put its modification time back"),
        ("escape.GeneratedMSBuildEditorConfig.editorconfig", "changed {0}"),
        ("escape.AssemblyInfo.cs", "changed {0}"),
        ("escape.csproj.FileListAbsolute.txt", "changed {0}"),
    ];

    public static readonly EscapeAttempt[] Attempts =
    [
        new("signal-msbuild", "signal the MSBuild process, or another process of the user",
            [
                new("sigstop-msbuild", "SIGSTOP the build's MSBuild", new Expected("EPERM", "Landlock (signal scope)")),
                new("sigterm-victim", "SIGTERM a process of the same user outside the build", new Expected("EPERM", "Landlock (signal scope)")),
            ],
            "MSBuild finished the build; the other process is alive",
            run =>
            {
                run.AssertBuildFinished();
                Assert.False(run.Victim.HasExited, "the victim process was killed");
            }),
        new("ptrace-msbuild", "ptrace the MSBuild process",
            [
                new("ptrace-attach", "PTRACE_ATTACH to MSBuild", new Expected("EPERM", "Landlock (ptrace rule)")),
                new("ptrace-seize", "PTRACE_SEIZE MSBuild", new Expected("EPERM", "Landlock (ptrace rule)")),
                new("proc-mem", "open /proc/MSBUILD/mem", LandlockPtrace),
            ],
            "MSBuild finished the build",
            run => run.AssertBuildFinished()),
        new("symlink-home", "symlink from obj/ to a file in ~ (MSBuild's Copy would follow it), read and write through a link",
            [
                new("plant-link-in-obj", "symlink obj/…/home-link -> ~/.ssh/SECRET", new Expected("EACCES", "Landlock (no symlink right in the outputs)")),
                new("read-through-link", "read ~/.ssh/SECRET through $TMPDIR/home-link", LandlockFs),
                new("write-through-link", "append to it through the link", LandlockFs),
            ],
            "the ~ file is unchanged and its content is not in the build's output",
            run => run.AssertHomeSecretUntouched()),
        new("symlink-shadow", "symlink from obj/ to /etc/shadow, read it and open it for writing through a link",
            [
                new("plant-link-in-obj", "symlink obj/…/shadow-link -> /etc/shadow", new Expected("EACCES", "Landlock (no symlink right in the outputs)")),
                new("read-through-link", "read /etc/shadow through $TMPDIR/shadow-link", LandlockFs, new Expected("EACCES", "file mode (root:shadow 0640)")),
                new("open-for-writing-through-link", "open it for writing", LandlockFs, new Expected("EACCES", "file mode (root:shadow 0640)")),
            ],
            "/etc/shadow is unchanged (hash, mtime)",
            run => run.Suite.AssertShadowUntouched()),
        new("hardlink-home", "hard link in obj/ to a file in ~",
            [new("hardlink", "link(~/.ssh/SECRET, obj/…/home-hardlink)", new Expected("EXDEV", "Landlock (REFER: source not granted)"))],
            "the ~ file still has one link; no link in obj/",
            run =>
            {
                run.AssertHomeSecretUntouched();
                Assert.Equal(1, EscapeRun.LinkCount(run.HomeSecret));
                Assert.False(File.Exists(Path.Combine(run.LogDir, "home-hardlink")), "a hard link to the ~ file exists in obj/");
            }),
        new("hardlink-shadow", "hard link in obj/ to /etc/shadow",
            [
                new("hardlink", "link(/etc/shadow, obj/…/shadow-hardlink)",
                    new Expected("EXDEV", "Landlock (REFER: source not granted)"), new Expected("EPERM", "fs.protected_hardlinks (not the owner)")),
            ],
            "/etc/shadow keeps its link count; no link in obj/",
            run =>
            {
                run.Suite.AssertShadowUntouched();
                Assert.False(File.Exists(Path.Combine(run.LogDir, "shadow-hardlink")), "a hard link to /etc/shadow exists in obj/");
            }),
        new("rename-into-source", "rename a file out of obj/ into the source tree",
            [
                new("rename-into-source", "rename obj/…/Planted.cs to PROJECT/Planted.cs", LandlockFs),
                new("rename-over-source", "rename it over PROJECT/Class1.cs", LandlockFs),
                new("rename-source-out", "rename PROJECT/Class1.cs into obj/", LandlockFs),
            ],
            "no Planted.cs in the source tree; Class1.cs unchanged",
            run => run.AssertSourceTreeUntouched()),
        new("proc-self-root", "reach around the sandbox through /proc/self/root",
            [
                new("read-home", "read /proc/self/root/~/.ssh/SECRET", LandlockFs),
                new("read-shadow", "read /proc/self/root/etc/shadow", LandlockFs, new Expected("EACCES", "file mode (root:shadow 0640)")),
                new("write-source", "create /proc/self/root/PROJECT/Planted.cs", LandlockFs),
            ],
            "the ~ file unchanged and not in the output; the source tree unchanged",
            run =>
            {
                run.AssertHomeSecretUntouched();
                run.AssertSourceTreeUntouched();
            }),
        new("proc-self-fd", "upgrade a descriptor by reopening /proc/self/fd/N",
            [
                new("reopen-opath-home", "O_PATH-open a ~ file, reopen /proc/self/fd/N for reading", LandlockFs),
                new("reopen-source-for-writing", "open Class1.cs read-only, reopen /proc/self/fd/N for writing", LandlockFs),
            ],
            "the ~ file not in the output; Class1.cs unchanged",
            run =>
            {
                run.AssertHomeSecretUntouched();
                run.AssertSourceTreeUntouched();
            }),
        new("proc-environ", "read /proc/PID/environ of other processes of the user",
            [
                new("victim-environ", "read /proc/VICTIM/environ (holds a secret)", LandlockPtrace),
                new("msbuild-environ", "read /proc/MSBUILD/environ (unscrubbed build environment)", LandlockPtrace),
                new("victim-root-home", "read the ~ file through /proc/VICTIM/root", LandlockPtrace),
            ],
            "neither the victim's nor the build's secret variable is in the output; the victim is alive",
            run =>
            {
                Assert.False(run.Victim.HasExited, "the victim process died");
                Assert.DoesNotContain(run.VictimSecret, run.Output);
                Assert.DoesNotContain(run.BuildSecret, run.Output);
                run.AssertHomeSecretUntouched();
            }),
        new("inherited-fd", "write through a descriptor inherited from MSBuild",
            [
                new("write-fd-7", "write(7, …): MSBuild holds fd 7 open for writing, without CLOEXEC", new Expected("EBADF", "nono-exec closes every descriptor above 2")),
                new("reopen-self-fd-7", "open /proc/self/fd/7", new Expected("ENOENT", "nono-exec closes every descriptor above 2")),
                new("list-msbuild-fds", "list /proc/MSBUILD/fd (descriptor numbers only)",
                    new Expected("ALLOWED", "not refused: the kernel lets the same uid list the numbers; Landlock does not mediate it")),
                new("readlink-msbuild-fd-7", "readlink /proc/MSBUILD/fd/7 (what the descriptor is)", LandlockPtrace),
                new("reopen-msbuild-fd-7", "open /proc/MSBUILD/fd/7 for writing", LandlockPtrace),
                new("pidfd-getfd-7", "pidfd_getfd(pidfd_open(msbuild), 7): copy MSBuild's descriptor", new Expected("EPERM", "Landlock (ptrace rule)")),
                new("write-by-path", "open the file fd 7 refers to by its path", LandlockFs),
            ],
            "the file behind fd 7 is unchanged (the harness showed MSBuild holding it)",
            run =>
            {
                Assert.Contains($"harness: fd 7 -> {run.InheritedFdVictim}", run.Output);
                Assert.Equal(EscapeRun.InheritedFdContent, File.ReadAllText(run.InheritedFdVictim));
            }),
        new("setuid", "exec a setuid-root program to gain rights",
            [
                new("exec-setuid-root", "run a root-owned 4755 copy of a probe that reads a file only a privileged process can read",
                    new Expected("NO-GAIN", "capabilities dropped, no_new_privs (root without CAP_DAC_OVERRIDE)"),
                    new Expected("NO-GAIN", "no_new_privs (euid stays)")),
            ],
            "the privileged file is unchanged and not in the output",
            run =>
            {
                Assert.Equal(run.PrivilegedContent + "\n", File.ReadAllText(run.PrivilegedFile));
                Assert.DoesNotContain(run.PrivilegedContent, run.Output);
            }),
        new("unix-socket", "connect to a pathname Unix socket outside (docker.sock stand-in)",
            [
                new("connect", "socket(AF_UNIX) + connect(RUN/sock/docker.sock), socket mode 0777", SeccompSocket),
                new("dgram-socketpair-sendto", "socketpair(AF_UNIX, SOCK_DGRAM) + sendto(docker.sock)", SeccompSocket),
            ],
            "the server saw no connection",
            run => Assert.False(run.Listeners.UnixConnected, "the Unix socket server got a connection")),
        new("abstract-socket", "connect to an abstract Unix socket outside",
            [new("connect", "socket(AF_UNIX) + connect(@nono-escape-…)", new Expected("EACCES", "seccomp (AF_UNIX); Landlock scope behind it"))],
            "the server saw no connection",
            run => Assert.False(run.Listeners.AbstractConnected, "the abstract socket server got a connection")),
        new("udp", "UDP datagram to a listener outside, IPv4 and IPv6",
            [
                new("udp-ipv4", "sendto 127.0.0.1:UDP", SeccompSocket),
                new("udp-ipv6", "sendto [::1]:UDP6", SeccompSocket),
            ],
            "neither listener received a datagram",
            run =>
            {
                Assert.Equal(0, run.Listeners.UdpReceived);
                Assert.Equal(0, run.Listeners.Udp6Received);
            }),
        new("dns", "DNS exfiltration: a query whose name carries data, to a resolver outside",
            [
                new("dns-udp", "DNS query over UDP to 127.0.0.1:DNS", SeccompSocket),
                new("dns-tcp", "DNS query over TCP to 127.0.0.1:DNS_TCP", LandlockTcp),
            ],
            "the resolver stand-in received no query",
            run =>
            {
                Assert.Equal(0, run.Listeners.DnsUdpReceived);
                Assert.False(run.Listeners.DnsTcpConnected, "the DNS-over-TCP listener got a connection");
            }),
        new("icmp", "ICMP echo request carrying data",
            [
                new("ping-socket", "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)", SeccompSocket),
                new("raw-socket", "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", SeccompSocket),
                new("icmpv6-socket", "socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)", SeccompSocket),
            ],
            "a raw ICMP listener of the test (root only) saw no echo request with the marker",
            run => Assert.False(run.Suite.IcmpMarkerSeen(run.IcmpMarker), "an ICMP packet with the step's marker was seen")),
        new("tcp-ipv4", "TCP to a port not allowed, IPv4 (another port is allowed)",
            [new("connect", "connect 127.0.0.1:DENIED", LandlockTcp)],
            "the listener saw no connection",
            run => Assert.False(run.Listeners.TcpDeniedConnected, "the denied-port listener got a connection")),
        new("tcp-ipv6", "TCP to a port not allowed, IPv6",
            [new("connect", "connect [::1]:DENIED6", LandlockTcp)],
            "the listener saw no connection",
            run => Assert.False(run.Listeners.Tcp6DeniedConnected, "the IPv6 denied-port listener got a connection")),
        new("tcp-fastopen", "TCP Fast Open past Landlock's connect rule (earlier review)",
            [new("sendto-fastopen", "sendto(MSG_FASTOPEN) to 127.0.0.1:DENIED", new Expected("EACCES", "seccomp (MSG_FASTOPEN)"))],
            "the listener saw no connection",
            run => Assert.False(run.Listeners.TcpDeniedConnected, "the denied-port listener got a connection")),
        new("listen-unbound", "listen() without bind() (earlier review), bind port 0",
            [
                new("listen-without-bind", "listen() on an unbound TCP socket", new Expected("EACCES", "seccomp (listen without a bind grant)")),
                new("bind-port-0", "bind 0.0.0.0:0", new Expected("EACCES", "Landlock (TCP bind)")),
            ],
            "no port was opened (the step reports none)",
            _ => { }),
        new("tiocsti", "type into the build's terminal: TIOCSTI, TIOCLINUX (earlier review)",
            [
                new("tiocsti", "ioctl(/dev/tty, TIOCSTI) with a command line", new Expected("EPERM", "seccomp (TIOCSTI)")),
                new("tioclinux", "ioctl(/dev/tty, TIOCLINUX)", new Expected("EPERM", "seccomp (TIOCLINUX)")),
            ],
            "the terminal (a pty the harness runs the build on) never echoed the typed text",
            run => Assert.DoesNotContain(run.TtyMarker, run.Output)),
        new("overwrite-other-step", "overwrite another step's script or outputs",
            [
                new("other-project-script", "append to another repository's build script", LandlockFs),
                new("other-project-output", "append to another project's bin/…/other.dll", LandlockFs),
                new("find-step-scripts", "list the build's TMPDIR, where MSBuild keeps the steps' .exec.cmd scripts", LandlockFs),
                new("plant-next-step-script", "create a file there", LandlockFs),
            ],
            "the other repository's files are unchanged; nothing planted among the step scripts",
            run =>
            {
                Assert.Equal(run.OtherScriptHash, Hash(run.OtherScript));
                Assert.Equal(run.OtherOutputHash, Hash(run.OtherOutput));
                Assert.Empty(Directory.GetFiles(run.BuildTemp, run.PlantedScriptName, SearchOption.AllDirectories));
            }),
        new("env-injection", "LD_PRELOAD, DOTNET_STARTUP_HOOKS, BASH_ENV passed to the step by the project's Exec",
            [
                new("LD_PRELOAD", "LD_PRELOAD=preload.so reaches the step", new Expected("NOT-PASSED", "the SDK's environment scrubber")),
                new("DOTNET_STARTUP_HOOKS", "DOTNET_STARTUP_HOOKS reaches the step", new Expected("NOT-PASSED", "the SDK's environment scrubber")),
                new("BASH_ENV", "BASH_ENV reaches the step", new Expected("NOT-PASSED", "the SDK's environment scrubber")),
                new("preload-child", "a program the step runs loads the library", new Expected("NOT-LOADED", "the SDK's environment scrubber")),
            ],
            "the preloaded library never ran (its NONO-PRELOAD-RAN line is not in the output)",
            run => Assert.DoesNotContain("NONO-PRELOAD-RAN", run.Output))
        {
            StepEnvironment = "LD_PRELOAD={preload};DOTNET_STARTUP_HOOKS={hook};BASH_ENV={bashenv}",
        },
        new("outlive-step", "leave a process running after the step, to act when later targets run",
            [new("spawn-detached", "start a process in its own session, output closed, that writes into obj/ 2 s later", new Expected("ALLOWED", "killed when the step ends (nono-exec --kill-leftovers)"))],
            "nothing was written after the step; no process of it is left",
            run =>
            {
                var marker = Path.Combine(run.LogDir, "written-after-the-step");
                Thread.Sleep(TimeSpan.FromSeconds(3) - (DateTime.UtcNow - run.Finished) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
                Assert.False(File.Exists(marker), "a process the step left running wrote after the step");
            }),
        new("supervisor", "end, stop or trace every process between the step and MSBuild (its supervisor), then change an output after the step",
            [
                new("sigstop", "SIGSTOP each process between the step's shell and MSBuild (nono-exec)", new Expected("EPERM", "Landlock (signal scope): the supervisor is outside the step's domain")),
                new("ptrace-attach", "PTRACE_ATTACH to each", new Expected("EPERM", "Landlock (ptrace rule)")),
                new("ptrace-seize", "PTRACE_SEIZE each", new Expected("EPERM", "Landlock (ptrace rule)")),
                new("proc-mem", "open /proc/PID/mem of each", LandlockPtrace),
                new("pidfd-sigkill", "pidfd_send_signal(pidfd_open(each), SIGKILL)", new Expected("EPERM", "Landlock (signal scope)")),
                new("sigkill", "SIGKILL each", new Expected("EPERM", "Landlock (signal scope)")),
                new("spawn-detached", "then start a process in its own session that writes into obj/ 2 s later", new Expected("ALLOWED", "killed when the step ends: the supervisor is still there")),
            ],
            "nothing was written after the step; MSBuild finished the build",
            run =>
            {
                run.AssertBuildFinished();
                var marker = Path.Combine(run.LogDir, "written-after-the-supervisor");
                Thread.Sleep(TimeSpan.FromSeconds(3) - (DateTime.UtcNow - run.Finished) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
                Assert.False(File.Exists(marker), "a process the step left running wrote after the step: its supervisor was gone");
            }),
        new("keyring-ipc", "reach the user's keyring and System V / POSIX IPC objects",
            [
                new("keyring", "keyctl(KEYCTL_GET_KEYRING_ID, user keyring)", SeccompIpc),
                new("shm", "shmget(KEY, IPC_CREAT)", SeccompIpc),
                new("msg", "msgget(KEY, IPC_CREAT)", SeccompIpc),
                new("sem", "semget(KEY, IPC_CREAT)", SeccompIpc),
                new("mq", "mq_open(/nono-escape-…, O_CREAT)", SeccompIpc),
            ],
            "no IPC object with the run's key or name exists",
            run =>
            {
                foreach (var table in new[] { "shm", "msg", "sem" })
                    Assert.DoesNotContain(File.ReadLines($"/proc/sysvipc/{table}").Skip(1),
                        line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] == run.IpcKey.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.False(File.Exists("/dev/mqueue" + run.MqName), "a POSIX message queue was created");
            }),
        new("fill-temp", "fill the private temp directory; write beside it",
            [
                new("fill-private-temp", "write 32 MiB into $TMPDIR", new Expected("ALLOWED", "not limited (no quota): documented")),
                new("lock-private-temp", "leave a mode-000 directory in $TMPDIR so it cannot be deleted", new Expected("ALLOWED", "the SDK gives the owner's rights back before deleting")),
                new("write-beside-temp", "create a file in $TMPDIR/.. (/tmp)", LandlockFs),
                new("write-dev-shm", "create a file in /dev/shm", LandlockFs),
            ],
            "the private temp directory is deleted after the step; nothing in /tmp or /dev/shm",
            run =>
            {
                var temp = run.StepTemp("fill-temp");
                Assert.False(Directory.Exists(temp), $"the step's private temp directory {temp} was left behind");
                Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(temp)!, run.PlantedTempName)), "a file was planted beside the private temp directory");
                Assert.False(File.Exists(Path.Combine("/dev/shm", run.PlantedTempName)), "a file was planted in /dev/shm");
            }),
        new("msbuild-state", "rewrite MSBuild's own state in obj/: the assets cache (an analyzer copied into obj/; a copy-local item leaving $(OutDir)), RAR, CoreCompileInputs and GenerateResource state, editorconfig, AssemblyInfo, FileListAbsolute.txt",
            [
                new("copy-analyzer", "copy an 'analyzer' and a Directory.Build.props (SandboxEnabled=false) into obj/…/ (ordinary outputs)", new Expected("ALLOWED", "allowed: output files, read by nothing unless named in the state")),
                new("assets-cache", "add the analyzer, and a copy-local item with the props file and the destination $(OutDir)../../../Directory.Build.props, to escape.assets.cache (its format, hash kept)", StateCaught),
                new("rar-cache", "write escape.csproj.AssemblyReference.cache (ResolveAssemblyReference's state)", StateCaught),
                new("generate-resource-cache", "create escape.csproj.GenerateResource.cache", StateCaught),
                new("core-compile-inputs", "rewrite escape.csproj.CoreCompileInputs.cache in place and put its mtime back", StateCaught),
                new("editorconfig", "append to the generated editorconfig", StateCaught),
                new("assembly-info", "append to escape.AssemblyInfo.cs", StateCaught),
                new("file-list", "append a path to escape.csproj.FileListAbsolute.txt", StateCaught),
            ],
            "each file is named in a NONO3003 error with the step, and none holds what the step wrote after the build; no Directory.Build.props in the project folder",
            run =>
            {
                var obj = Path.GetDirectoryName(run.LogDir)!;
                foreach (var (file, change) in StateFiles)
                {
                    var path = Path.Combine(obj, file);
                    Assert.True(run.Output.Contains($"error NONO3003: the step `/usr/bin/python3 scripts/msbuild-state.py` {string.Format(change, $"'{path}'")}, which MSBuild reads back"),
                        $"no NONO3003 for {file} ({change}):\n{run.Lines("NONO3003")}");
                    Assert.False(File.Exists(path) && File.ReadAllText(path).Contains(EscapeRun.StateMarker), $"{path} still holds what the step wrote");
                }
                Assert.False(File.Exists(Path.Combine(run.Project, "Directory.Build.props")), "a Directory.Build.props was written into the project folder");
            }),
        new("special-files", "leave a FIFO where Copy expects the .pdb, a socket or a device node in obj/, or move or link in a FIFO made in $TMPDIR",
            [
                new("fifo-at-pdb", "replace obj/…/escape.pdb with a FIFO (Copy would wait on it for ever)", NoSpecialFiles),
                new("socket-node", "mknod a socket in obj/", NoSpecialFiles),
                new("char-device", "mknod a character device (1,3) in obj/", NoSpecialFiles),
                new("rename-fifo-in", "rename $TMPDIR/fifo into obj/", NoSpecialFiles),
                new("link-fifo-in", "hard link $TMPDIR/fifo into obj/", NoSpecialFiles),
            ],
            "no special file in the outputs; the .pdb is the compiler's",
            run =>
            {
                run.AssertBuildFinished();
                var obj = Path.GetDirectoryName(run.LogDir)!;
                var special = Cli.Run("/", null, "find", obj, Path.Combine(run.Project, "bin"), "!", "-type", "f", "!", "-type", "d");
                Assert.True(special.Succeeded && special.Output.Trim().Length == 0, $"special files in the outputs:\n{special}");
                Assert.True(new FileInfo(Path.Combine(obj, "escape.pdb")) is { Exists: true, Length: > 0 }, "the .pdb is gone");
            }),
        new("terminal-prompt", "print a fake '[sudo] password' prompt and read what the user types",
            [new("read-terminal", "read standard input (the build runs on a terminal)", new Expected("DEV-NULL", "the SDK: standard input is /dev/null (nono-exec --null-stdin)"))],
            "the step never saw the terminal; no prompt was shown",
            run => Assert.DoesNotContain("[sudo] password", run.Output)),
        new("forge-nono", "print nono-exec's own error line and exit 125, to get the SDK's NONO1002 telling the user what to widen",
            [new("print-forged-line", "print 'nono-exec: error: path not found: ~/.ssh/…' on stderr and stdout, exit 125", new Expected("ALLOWED", "printed, read as the step's output only: nono-exec's errors come in a file of their own (--errors)"))],
            "no NONO1002 in the build; the forged line is the step's output",
            run =>
            {
                Assert.True(run.Output.Contains($"path not found: {run.HomeSecret} (forged"), "the forged line is not in the output:\n" + run.Lines("forged"));
                Assert.False(run.Output.Contains("NONO1002"), run.Lines("NONO1002"));
            })
        {
            ExitCode = 125,
        },
    ];

    /// <summary>Attempts of the earlier review covered by other end-to-end tests (current user only), for the table.</summary>
    public static readonly (string Attempt, string CoveredBy)[] CoveredElsewhere =
    [
        ("plant `obj/*.props` (imported by the next build)", "SelfProtectionTests.AStep_CannotPlantImportsInObj_NorSymlinkAnOutputFolderElsewhere: EACCES (Landlock: obj/ itself not writable)"),
        ("symlink an output folder elsewhere", "SelfProtectionTests (same test): the next build refuses the policy, NONO1001"),
    ];

    public static EscapeAttempt Get(string name) => Attempts.Single(a => a.Name == name);

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
