using System.Diagnostics;
using System.Security;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nono.Build.Sdk.Tests.Escape;

public enum EscapeIdentity
{
    /// <summary>The building user is root (as in CI containers).</summary>
    Root,

    /// <summary>An ordinary user: nobody when the tests run as root, else the tests' own user.</summary>
    Unprivileged,
}

/// <summary>What one operation of an attempt got, from the attempt's log.</summary>
public sealed record OperationOutcome(string Kind, string Code, string Message)
{
    public override string ToString() => $"{Kind} {Code} {Message}".Trim();
}

/// <summary>
/// One build of the escape project by one user: its own folder (project, a fake home, another
/// repository, a Unix socket, the file behind an inherited descriptor), its own listeners and victim
/// process, and after the build, each attempt's outcomes.
/// </summary>
public sealed partial class EscapeRun : IDisposable
{
    public const string InheritedFdContent = "written before the build; must stay as it is\n";

    /// <summary>What msbuild-state.py writes into MSBuild's state files.</summary>
    public const string StateMarker = "nono-escape-state";
    private const int Nobody = 65534;

    private readonly E2EEnvironment env;
    private readonly string id = Guid.NewGuid().ToString("N")[..12];
    private readonly bool switchUser;

    public EscapeRun(E2EEnvironment env, EscapeSuite suite, EscapeIdentity identity)
    {
        this.env = env;
        Suite = suite;
        Identity = identity;
        switchUser = identity == EscapeIdentity.Unprivileged && Environment.IsPrivilegedProcess;
        Dir = switchUser
            ? Directory.CreateTempSubdirectory("nono-escape-nobody-").FullName
            : Directory.CreateDirectory(Path.Combine(env.Root, $"escape-{identity.ToString().ToLowerInvariant()}-{id}")).FullName;
        UserName = switchUser ? "nobody" : Environment.UserName;
        Project = Path.Combine(Dir, "project");
        LogDir = Path.Combine(Project, "obj", "Debug", "net10.0", "escape");
        SourceFile = Path.Combine(Project, "Class1.cs");
        PlantedSource = Path.Combine(Project, "Planted.cs");
        if (switchUser)
        {
            var home = Directory.CreateDirectory(Path.Combine(Dir, "home")).FullName;
            Home = home;
            var ssh = Directory.CreateDirectory(Path.Combine(home, ".ssh")).FullName;
            HomeSecret = Path.Combine(ssh, "id_nono_escape");
            HomeSecretContent = $"nono-escape-home-secret-{id}";
            File.WriteAllText(HomeSecret, HomeSecretContent + "\n");
        }
        else
        {
            Home = Path.GetDirectoryName(env.SshDirectory)!;
            HomeSecret = env.SecretFile;
            HomeSecretContent = env.SecretContent;
        }
        InheritedFdVictim = Path.Combine(Dir, "inherited-fd-victim.txt");
        OtherScript = Path.Combine(Dir, "other-repo", "scripts", "build.sh");
        OtherOutput = Path.Combine(Dir, "other-repo", "bin", "Debug", "net10.0", "other.dll");
        BuildTemp = Path.Combine(Dir, "tmp");
        Directory.CreateDirectory(BuildTemp);
        File.SetUnixFileMode(BuildTemp, (UnixFileMode)0x3ff); // 01777, like /tmp: the build may run as nobody
        Directory.CreateDirectory(Path.Combine(Dir, "sock"));
        Listeners = new EscapeListeners(Path.Combine(Dir, "sock", "docker.sock"), $"nono-escape-{id}");
    }

    public EscapeSuite Suite { get; }

    public EscapeIdentity Identity { get; }

    public string UserName { get; }

    public string Dir { get; }

    public string Home { get; }

    public string Project { get; }

    public string LogDir { get; }

    /// <summary>When the build ended.</summary>
    public DateTime Finished { get; private set; }

    public string SourceFile { get; }

    public string PlantedSource { get; }

    public string HomeSecret { get; }

    public string HomeSecretContent { get; }

    public string InheritedFdVictim { get; }

    public string OtherScript { get; }

    public string OtherOutput { get; }

    public string OtherScriptHash { get; private set; } = "";

    public string OtherOutputHash { get; private set; } = "";

    public string SourceFileHash { get; private set; } = "";

    /// <summary>The build's TMPDIR, where MSBuild writes the steps' .exec.cmd scripts.</summary>
    public string BuildTemp { get; }

    public string PlantedScriptName => $"nono-escape-planted-{id}.exec.cmd";

    public string PlantedTempName => $"nono-escape-planted-{id}";

    /// <summary>A System V IPC key no other process uses (a positive int from the run's id).</summary>
    public int IpcKey => (int)(Convert.ToUInt32(id[..8], 16) & 0x7fffffff);

    public string MqName => $"/nono-escape-{id}";

    public string PrivilegedFile => Path.Combine(Project, "scripts", "privileged.txt");

    public string PrivilegedContent => $"only a privileged process reads this {id}";

    public string VictimSecret => $"nono-escape-victim-secret-{id}";

    public string BuildSecret => $"nono-escape-build-token-{id}";

    public string TtyMarker => $"echo nono-escape-typed-{id}";

    public string IcmpMarker => $"nono-escape-icmp-{id}";

    public EscapeListeners Listeners { get; }

    public Process Victim { get; private set; } = null!;

    public CliResult Build { get; private set; } = null!;

    /// <summary>The build's output as the terminal showed it, without carriage returns.</summary>
    public string Output { get; private set; } = "";

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, OperationOutcome>> Outcomes { get; private set; } =
        new Dictionary<string, IReadOnlyDictionary<string, OperationOutcome>>();

    /// <summary>Writes the project and everything around it, starts the victim, runs the build, reads the outcomes.</summary>
    public void Run(string setuidProbe, string preloadLibrary, string attemptsSource)
    {
        WriteProject(preloadLibrary, attemptsSource);
        if (switchUser)
            Chown(Dir, Nobody);
        InstallPrivileged(setuidProbe);
        Victim = StartVictim();
        var runBuild = Path.Combine(Dir, "run-build.sh");
        File.WriteAllText(runBuild, """
            # The harness: leaves descriptor 7 open (no CLOEXEC) on a file outside the sandbox for dotnet
            # build, so MSBuild holds it and every process MSBuild starts would inherit it.
            exec 7>>"$1"
            shift
            echo "harness: fd 7 -> $(readlink /proc/$$/fd/7)"
            exec "$@"
            """.Replace("\r", ""));
        string[] build = ["/bin/sh", runBuild, InheritedFdVictim, "dotnet", "build", Path.Combine(Project, "escape.csproj"),
            "-nologo", "-v:n", "-tl:off", "--disable-build-servers", "-nodeReuse:false", "-clp:DisableConsoleColor"];
        // script(1) runs the build on a pseudo-terminal that becomes its controlling terminal, as an
        // interactive build would have: the TIOCSTI attempt types into it, and anything echoed shows.
        string[] onTerminal = ["script", "-qefc", string.Join(' ', build.Select(ShellQuote)), "/dev/null"];
        string[] command = switchUser
            ? ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", .. onTerminal]
            : onTerminal;
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = switchUser ? Path.Combine(Dir, "packages") : env.Packages,
            ["SHELL"] = "/bin/sh",
            ["NONO_ESCAPE_TOKEN"] = BuildSecret,
            ["TMPDIR"] = BuildTemp,
        };
        if (switchUser)
        {
            environment["HOME"] = Home;
            environment["DOTNET_CLI_HOME"] = Home;
            environment["XDG_CONFIG_HOME"] = null;
            environment["XDG_DATA_HOME"] = null;
            environment["XDG_CACHE_HOME"] = null;
        }
        Build = Cli.Run(Project, environment, command[0], command[1..]);
        Finished = DateTime.UtcNow;
        Output = Build.Output.Replace("\r", "");
        Outcomes = EscapeCatalog.Attempts.ToDictionary(a => a.Name, a => ReadOutcomes(a.Name));
    }

    private void WriteProject(string preloadLibrary, string attemptsSource)
    {
        string feed;
        if (switchUser)
        {
            feed = Directory.CreateDirectory(Path.Combine(Dir, "feed")).FullName;
            foreach (var package in new[] { $"Nono.Build.Sdk.{env.Version}.nupkg", $"Nono.{env.Version}.nupkg" })
                File.Copy(Path.Combine(env.Feed, package), Path.Combine(feed, package));
            Directory.CreateDirectory(Path.Combine(Dir, "packages"));
        }
        else
        {
            feed = env.Feed;
        }
        // Stop MSBuild's and NuGet's upward search for Directory.Build.* at the run's folder.
        File.WriteAllText(Path.Combine(Dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Dir, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Dir, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(InheritedFdVictim, InheritedFdContent);
        Directory.CreateDirectory(Path.GetDirectoryName(OtherScript)!);
        File.WriteAllText(OtherScript, "#!/bin/sh\necho building the other project\n");
        Directory.CreateDirectory(Path.GetDirectoryName(OtherOutput)!);
        File.WriteAllBytes(OtherOutput, [0x4d, 0x5a, 0x90, 0x00]);
        OtherScriptHash = EscapeCatalog.Hash(OtherScript);
        OtherOutputHash = EscapeCatalog.Hash(OtherOutput);
        var tools = Directory.CreateDirectory(Path.Combine(Dir, "tools")).FullName;
        var preload = Path.Combine(tools, "preload.so");
        File.Copy(preloadLibrary, preload);
        File.WriteAllText(Path.Combine(tools, "bash-env.sh"), "echo NONO-PRELOAD-RAN from BASH_ENV >&2\n");

        var attempts = EscapeCatalog.Attempts;
        var stepEnvironment = attempts.Where(a => a.StepEnvironment.Length > 0).Select(a =>
            $"""    <EscapeAttempt Update="{a.Name}" Env="{SecurityElement.Escape(a.StepEnvironment
                .Replace("{preload}", preload)
                .Replace("{hook}", Path.Combine(tools, "StartupHook.dll"))
                .Replace("{bashenv}", Path.Combine(tools, "bash-env.sh")))}" />""");
        var project = new TestProject(env, "escape", Project, feed, switchUser ? Path.Combine(Dir, "packages") : env.Packages)
            .Item($"""<SandboxNetwork Include="{Listeners.TcpAllowedPort}" />""")
            .Target($"""
                  <ItemGroup>
                    <EscapeAttempt Include="{string.Join(';', attempts.Select(a => a.Name))}" />
                {string.Join('\n', stepEnvironment)}
                  </ItemGroup>
                  <!-- Each attempt is one sandboxed step; ErrorAndContinue lets every one run in this one build. -->
                  <Target Name="EscapeControl" AfterTargets="Build">
                    <Exec Command="/usr/bin/python3 scripts/control.py" ContinueOnError="ErrorAndContinue" />
                  </Target>
                  <Target Name="EscapeAttempts" AfterTargets="EscapeControl">
                    <Exec Command="/usr/bin/python3 scripts/%(EscapeAttempt.Identity).py" EnvironmentVariables="%(EscapeAttempt.Env)" ContinueOnError="ErrorAndContinue" />
                    <Message Importance="high" Text="ESCAPE-SUITE-FINISHED" />
                  </Target>
                """);
        foreach (var file in Directory.GetFiles(attemptsSource, "*.py"))
            project.File(Path.Combine("scripts", Path.GetFileName(file)), File.ReadAllText(file));
        project.File(Path.Combine("scripts", "targets.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["logDir"] = LogDir,
            ["homeSecret"] = HomeSecret,
            ["sourceFile"] = SourceFile,
            ["plantedSource"] = PlantedSource,
            ["victimPid"] = 0, // replaced once the victim runs
            ["inheritedFdVictim"] = InheritedFdVictim,
            ["setuidProbe"] = Path.Combine(Project, "scripts", "suid-probe"),
            ["privilegedFile"] = PrivilegedFile,
            ["unixSocket"] = Listeners.UnixSocketPath,
            ["abstractSocket"] = Listeners.AbstractName,
            ["udpPort"] = Listeners.UdpPort,
            ["udp6Port"] = Listeners.Udp6Port,
            ["dnsUdpPort"] = Listeners.DnsUdpPort,
            ["dnsTcpPort"] = Listeners.DnsTcpPort,
            ["tcpAllowedPort"] = Listeners.TcpAllowedPort,
            ["tcpDeniedPort"] = Listeners.TcpDeniedPort,
            ["tcp6DeniedPort"] = Listeners.Tcp6DeniedPort,
            ["icmpMarker"] = IcmpMarker,
            ["ttyMarker"] = TtyMarker,
            ["otherScript"] = OtherScript,
            ["otherOutput"] = OtherOutput,
            ["plantedScriptName"] = PlantedScriptName,
            ["buildTemp"] = BuildTemp,
            ["plantedTempName"] = PlantedTempName,
            ["fillMiB"] = 32,
            ["ipcKey"] = IpcKey,
            ["mqName"] = MqName,
            ["projectName"] = "escape",
            ["stateMarker"] = StateMarker,
        }));
        project.Write();
        SourceFileHash = EscapeCatalog.Hash(SourceFile);
        File.SetUnixFileMode(Path.Combine(Dir, "sock"), (UnixFileMode)0x1ff);
    }

    /// <summary>
    /// The setuid-root probe (root-owned, 4755) and a file only a privileged process can read: for
    /// the root run, nobody's and mode 0600 (root reads it only with CAP_DAC_OVERRIDE); for the
    /// unprivileged run, root's and mode 0600. Without root neither can be made; the attempt then
    /// finds no probe and reports ENOENT, and the setuid test is skipped.
    /// </summary>
    private void InstallPrivileged(string setuidProbe)
    {
        var probe = Path.Combine(Project, "scripts", "suid-probe");
        File.WriteAllText(PrivilegedFile, PrivilegedContent + "\n");
        File.SetUnixFileMode(PrivilegedFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (!Environment.IsPrivilegedProcess)
            return;
        File.Copy(setuidProbe, probe);
        Chown(probe, 0);
        Chown(PrivilegedFile, Identity == EscapeIdentity.Root ? Nobody : 0);
        File.SetUnixFileMode(probe, UnixFileMode.SetUser | (UnixFileMode)0x1ed);
    }

    private Process StartVictim()
    {
        var psi = new ProcessStartInfo(switchUser ? "setpriv" : "sleep")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (switchUser)
        {
            foreach (var arg in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", "sleep" })
                psi.ArgumentList.Add(arg);
        }
        psi.ArgumentList.Add("600");
        psi.Environment["NONO_VICTIM_SECRET"] = VictimSecret;
        var victim = Process.Start(psi)!;
        var targets = Path.Combine(Project, "scripts", "targets.json");
        File.WriteAllText(targets, File.ReadAllText(targets).Replace("\"victimPid\":0", $"\"victimPid\":{victim.Id}"));
        return victim;
    }

    private IReadOnlyDictionary<string, OperationOutcome> ReadOutcomes(string attempt)
    {
        var log = Path.Combine(LogDir, attempt + ".log");
        var outcomes = new Dictionary<string, OperationOutcome>();
        if (!File.Exists(log))
            return outcomes;
        foreach (var line in File.ReadAllLines(log))
        {
            var match = OutcomeLine().Match(line);
            if (match.Success)
                outcomes[match.Groups["op"].Value] = new OperationOutcome(match.Groups["kind"].Value, match.Groups["code"].Value, match.Groups["message"].Value);
        }
        return outcomes;
    }

    /// <summary>The attempt's log, for failure messages.</summary>
    public string Log(string attempt)
    {
        var log = Path.Combine(LogDir, attempt + ".log");
        return File.Exists(log) ? File.ReadAllText(log) : $"(no log: {log})";
    }

    /// <summary>The private temp directory the attempt's step reported.</summary>
    public string StepTemp(string attempt)
    {
        var match = Regex.Match(Log(attempt), "^private temp: (.+)$", RegexOptions.Multiline);
        Assert.True(match.Success, Log(attempt));
        return match.Groups[1].Value;
    }

    /// <summary>The build's output lines that contain <paramref name="text"/>, for failure messages.</summary>
    public string Lines(string text) =>
        string.Join('\n', Output.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)));

    public void AssertBuildFinished() =>
        Assert.Contains("ESCAPE-SUITE-FINISHED", Output);

    public void AssertHomeSecretUntouched()
    {
        Assert.Equal(HomeSecretContent + "\n", File.ReadAllText(HomeSecret));
        Assert.DoesNotContain(HomeSecretContent, Output);
    }

    public void AssertSourceTreeUntouched()
    {
        Assert.False(File.Exists(PlantedSource), $"{PlantedSource} was planted in the source tree");
        Assert.Equal(SourceFileHash, EscapeCatalog.Hash(SourceFile));
    }

    public static int LinkCount(string path)
    {
        var result = Cli.Run("/", null, "stat", "-c", "%h", path);
        Assert.True(result.Succeeded, result.ToString());
        return int.Parse(result.Output.Trim());
    }

    private static void Chown(string path, int uid)
    {
        var result = Cli.Run("/", null, "chown", "-R", $"{uid}:{uid}", path);
        Assert.True(result.Succeeded, result.ToString());
    }

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        if (Victim is { HasExited: false })
        {
            Victim.Kill();
            Victim.WaitForExit();
        }
        Victim?.Dispose();
        Listeners.Dispose();
        // A run as the tests' own user lives under the E2E root, which E2EEnvironment removes.
        if (switchUser && Environment.GetEnvironmentVariable("NONO_E2E_KEEP") != "1" && Directory.Exists(Dir))
            Directory.Delete(Dir, recursive: true);
    }

    [GeneratedRegex(@"^(?<kind>REFUSED|ESCAPED|ALLOWED|FAILED) (?<op>[^:]+): (?<code>\S+)\s*(?<message>.*)$")]
    private static partial Regex OutcomeLine();
}
