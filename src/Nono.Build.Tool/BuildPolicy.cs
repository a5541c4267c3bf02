using System.Globalization;
using Nono.Build.Tasks;
using Nono.Egress;

namespace Nono.Build.Tool;

/// <summary>
/// The whole build's two policies, computed from the repository (<see cref="Repository"/>) and the
/// machine before anything of the build runs:
/// <list type="bullet">
/// <item>restore: read and execute the toolchain, the SDK and the repository; write the NuGet
/// package folder, NuGet's HTTP cache and each project's obj/; the hosts of the feeds the
/// NuGet.config files name, through the egress proxy (which resolves their names), and nothing
/// else of the network; read the local feeds; the feeds' credentials (<see cref="FeedCredentials"/>);</item>
/// <item>build (build, test, pack, publish, msbuild): the same reads; read and execute the package
/// folder, never write it; write each project's obj/ and bin/ (TestResults/ for test, the
/// repository's artifacts/ where it uses it); no network.</item>
/// </list>
/// Both: a private temp and HOME/DOTNET_CLI_HOME, sockets there and MSBuild's node pipes in /tmp
/// (bound by the supervisor, by name), connections only among the build's own processes
/// (nono-exec --unix-own), the repository's Sandbox* items, and the environment scrubbed as for steps.
/// </summary>
internal sealed class BuildPolicy
{
    private BuildPolicy(CapabilitySet capabilities, List<string> launcherOptions, Dictionary<string, string?> environment, List<string> notes, EgressGrant? egress)
    {
        Capabilities = capabilities;
        LauncherOptions = launcherOptions;
        Environment = environment;
        Notes = notes;
        Egress = egress;
    }

    /// <summary>Restore's credential for the egress proxy (the feeds' hosts); null without remote feeds. Dispose it when the phase ends.</summary>
    public EgressGrant? Egress { get; }

    public CapabilitySet Capabilities { get; }

    /// <summary>nono-exec options beyond the capability set's own.</summary>
    public List<string> LauncherOptions { get; }

    /// <summary>The build's environment: variables to set (a value) or remove (null).</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>What the policy left out and why (NONO4001), for the console.</summary>
    public List<string> Notes { get; }

    /// <summary>Every option for nono-exec, in order.</summary>
    public IReadOnlyList<string> AllLauncherOptions() => [.. Capabilities.ToLauncherArguments(), .. LauncherOptions];

    public enum Phase
    {
        Restore,
        Build,
    }

    /// <summary>
    /// The policy of one phase. <paramref name="privateRoot"/> is the run's private directory
    /// (tmp/ and home/ beneath it); <paramref name="test"/>: TestResults/ is written too;
    /// <paramref name="proxy"/>: the egress proxy restore reaches the feeds through.
    /// </summary>
    public static BuildPolicy For(Phase phase, Repository repository, Machine machine, string privateRoot, bool test, string? feedStart, EgressProxy? proxy = null)
    {
        EgressGrant? egress = null;
        var hosts = new List<HostPattern>();
        var caps = new CapabilitySet();
        var options = new List<string>();
        var notes = new List<string>();
        DefaultPolicy.AddTo(caps);
        DefaultPolicy.AddGitUserConfig(caps);
        caps.AllowPath(machine.DotnetRoot, AccessMode.Read | AccessMode.Execute, CapabilitySource.System);
        caps.AllowPath(repository.Root, AccessMode.Read | AccessMode.Execute);
        foreach (var file in repository.AncestorFiles)
            caps.AllowFile(file, AccessMode.Read);
        var temp = Directory.CreateDirectory(Path.Combine(privateRoot, "tmp")).FullName;
        var home = Directory.CreateDirectory(Path.Combine(privateRoot, "home")).FullName;
        var privateHome = true;
        caps.AllowPath(privateRoot, AccessMode.ReadWrite | AccessMode.Execute);

        var packages = Directory.CreateDirectory(machine.PackageFolder).FullName;
        var outputs = new List<string>();
        foreach (var project in repository.ProjectDirectories)
        {
            outputs.Add(Path.Combine(project, "obj"));
            if (phase == Phase.Build)
                outputs.Add(Path.Combine(project, "bin"));
            if (phase == Phase.Build && test)
                outputs.Add(Path.Combine(project, "TestResults"));
        }
        var artifacts = Path.Combine(repository.Root, "artifacts");
        if (phase == Phase.Build && (Directory.Exists(artifacts) || repository.UsesArtifactsOutput()))
            outputs.Add(artifacts);
        foreach (var output in outputs)
        {
            Directory.CreateDirectory(output);
            caps.AllowPath(output, AccessMode.ReadWrite);
        }

        var environment = Scrubbed(repository, notes, out var items);
        // The feeds' credentials: restore's, which reaches nothing but the feeds; not the build's,
        // whatever their names, unless the repository's SandboxEnvironment names them.
        var feeds = Repository.Feeds(feedStart ?? repository.Root, machine.UserNuGetConfig);
        foreach (var name in FeedCredentials.Variables(System.Environment.GetEnvironmentVariables().Keys.Cast<string>().ToList(), feeds.Variables))
        {
            if (phase == Phase.Restore)
                environment.Remove(name);
            else if (!items.Any(i => i.Type == "SandboxEnvironment" && i.Value == name))
                environment[name] = null;
        }
        if (phase == Phase.Restore)
        {
            caps.AllowPath(packages, AccessMode.ReadWrite);
            var httpCache = machine.HttpCache;
            if (httpCache is not null)
            {
                Directory.CreateDirectory(httpCache);
                caps.AllowPath(httpCache, AccessMode.ReadWrite);
                environment["NUGET_HTTP_CACHE_PATH"] = httpCache;
            }
            foreach (var folder in feeds.Local)
                caps.AllowPath(folder, AccessMode.Read);
            hosts.AddRange(feeds.Remote.Select(r => HostPattern.Parse(HostPattern.ItemFor(r.Host, r.Port))));
            // The user's NuGet settings (feeds, their credentials), read-only and to restore only,
            // where NuGet looks for them (DOTNET_CLI_HOME, else HOME): each project's restore record
            // names the files it read, so a private copy would make a plain restore and this one
            // undo each other's no-op. HOME is not writable either way.
            if (machine.UserNuGetConfig is { } userConfig && File.Exists(userConfig))
            {
                caps.AllowPath(Path.GetDirectoryName(userConfig)!, AccessMode.Read);
                privateHome = false;
            }
        }
        else
        {
            caps.AllowPath(packages, AccessMode.Read | AccessMode.Execute);
        }

        foreach (var item in items)
            Grant(caps, item, notes, hosts);
        // The hosts (restore: the feeds'; both phases: the repository's host items) and nothing
        // else of them, through the egress proxy, which resolves their names: the build sends no
        // DNS query of its own and connects to the proxy's address only.
        if (hosts.Count > 0 && proxy is not null && caps.NetworkMode != NetworkMode.AllowAll)
        {
            egress = proxy.Grant(hosts);
            foreach (var (name, value) in egress.Environment)
                environment[name] = value;
            options.AddRange(["--connect-tcp-addr", $"127.0.0.1:{proxy.Port.ToString(CultureInfo.InvariantCulture)}"]);
        }
        if (phase == Phase.Build && items.Any(i => i.Type == "SandboxNetwork" && i.Value.Equals("all", StringComparison.OrdinalIgnoreCase)))
            caps.SetNetworkMode(NetworkMode.AllowAll);

        // Sockets in the private folders (the runtime's diagnostics sockets in TMPDIR, test pipes).
        // MSBuild's node pipes are made in /tmp whatever TMPDIR says: the supervisor binds
        // /tmp/MSBuild<pid> for the process of that pid only, and no other name there, where an
        // unsandboxed client (a plain build's node or compiler client) could take the build's
        // socket for its server's. The compiler server's pipe is the build phase's (WholeBuild).
        options.AddRange(["--sockets", privateRoot, "--unix-bind", "/tmp/MSBuild%p", "--unix-own", "--kill-leftovers"]);
        // dotnet test: the runner listens on an ephemeral loopback port for its test hosts; the
        // supervisor lets only the build's own processes connect to it.
        if (phase == Phase.Build && test && caps.NetworkMode != NetworkMode.AllowAll)
            options.AddRange(["--bind-tcp", "0"]);

        if (privateHome)
        {
            environment["HOME"] = home;
            environment["DOTNET_CLI_HOME"] = home;
            MarkFirstUseDone(home, machine);
            CopyLocalToolRecord(machine.CliHome, home);
        }
        environment["TMPDIR"] = temp;
        environment["NUGET_PACKAGES"] = machine.PackagesVariable;
        // Nothing of an earlier build is reused, and nothing of this one outlives it.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // "true", not "1": the CLI reads it with bool.TryParse. Otherwise every build, whose HOME is
        // new and so has no sentinel, starts downloading workload advertising manifests from
        // api.nuget.org (denied when enforced; under an audit it would go out).
        environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "true";
        environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        // Where the user's session buses and agents are: not the build's.
        foreach (var name in new[] { "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "DOCKER_HOST" })
            environment[name] = null;
        return new BuildPolicy(caps.Deduplicate(), options, environment, notes, egress);
    }

    /// <summary>
    /// The dotnet CLI's first-use sentinel of each installed SDK in the private HOME: a CLI that
    /// finds none runs its first-use workload check, which wants the .NET install writable and
    /// prints "An issue was encountered verifying workloads" on every build when it is not.
    /// </summary>
    private static void MarkFirstUseDone(string home, Machine machine)
    {
        var cliFolder = Directory.CreateDirectory(Path.Combine(home, ".dotnet")).FullName;
        var sdks = Path.Combine(machine.DotnetRoot, "sdk");
        if (!Directory.Exists(sdks))
            return;
        foreach (var sdk in Directory.EnumerateDirectories(sdks))
            File.WriteAllBytes(Path.Combine(cliFolder, Path.GetFileName(sdk) + ".dotnetFirstUseSentinel"), []);
    }

    /// <summary>
    /// The dotnet CLI's record of the local tools `dotnet tool restore` installed (the user's
    /// ~/.dotnet/toolResolverCache), copied into the private HOME: without it `dotnet TOOL` in a
    /// step says "Run dotnet tool restore". A copy, so the build cannot change what the user's next
    /// `dotnet TOOL` runs. Small JSON files; at most 4 MB are copied.
    /// </summary>
    private static void CopyLocalToolRecord(string? userHome, string home)
    {
        if (string.IsNullOrEmpty(userHome) || !Path.IsPathRooted(userHome))
            return;
        var source = Path.Combine(userHome, ".dotnet", "toolResolverCache");
        var copied = 0L;
        try
        {
            if (new DirectoryInfo(source) is not { Exists: true, LinkTarget: null })
                return;
            foreach (var file in new DirectoryInfo(source).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, MaxRecursionDepth = 4 }))
            {
                copied += file.Length;
                if (copied > 4 << 20)
                    return;
                var target = Path.Combine(home, ".dotnet", "toolResolverCache", Path.GetRelativePath(source, file.FullName));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                file.CopyTo(target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void Grant(CapabilitySet caps, Repository.Item item, List<string> notes, List<HostPattern> hosts)
    {
        try
        {
            switch (item.Type)
            {
                case "SandboxRead":
                    Allow(caps, item.Value, AccessMode.Read | (item.Execute ? AccessMode.Execute : AccessMode.None), item.File);
                    break;
                case "SandboxWrite":
                    // As for steps: never what git or the next build runs from (.git's own entries, obj/, a .props file).
                    if (PolicyItems.WriteRisk(Path.TrimEndingDirectorySeparator(Path.GetFullPath(item.Value)), item.File) is { } risk)
                    {
                        notes.Add($"{item.Source}: warning NONO1001: <SandboxWrite Include=\"{item.Value}\" /> is refused: {risk}");
                        break;
                    }
                    if (!item.File && !File.Exists(item.Value))
                        Directory.CreateDirectory(item.Value);
                    else if (item.File && !File.Exists(item.Value))
                        File.WriteAllBytes(item.Value, []);
                    Allow(caps, item.Value, AccessMode.ReadWrite | AccessMode.CreateSymlink | (item.Execute ? AccessMode.Execute : AccessMode.None), item.File);
                    break;
                case "SandboxNetwork":
                    if (item.Value.Equals("all", StringComparison.OrdinalIgnoreCase))
                        break;
                    if (int.TryParse(item.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
                        caps.AllowTcpConnect(port);
                    else if (HostPattern.TryParse(item.Value, out var host, out _))
                        hosts.Add(host);
                    else
                        notes.Add($"{item.Source}: warning NONO4002: <SandboxNetwork Include=\"{item.Value}\" /> is not 'all', a port, 'HOST', 'HOST:PORT', '.DOMAIN' or '.DOMAIN:PORT'. Fix or remove the item.");
                    break;
            }
        }
        catch (Exception e) when (e is NonoException or IOException or UnauthorizedAccessException)
        {
            notes.Add($"{item.Source}: warning NONO1001: <{item.Type} Include=\"{item.Value}\" /> cannot be granted: {e.Message}. Fix the path or remove the item.");
        }
    }

    private static void Allow(CapabilitySet caps, string path, AccessMode access, bool file)
    {
        if (file || File.Exists(path))
            caps.AllowFile(path, access);
        else
            caps.AllowPath(path, access);
    }

    /// <summary>The environment as for steps (SecretEnvironment), keeping what the repository's SandboxEnvironment items name.</summary>
    private static Dictionary<string, string?> Scrubbed(Repository repository, List<string> notes, out IReadOnlyList<Repository.Item> items)
    {
        items = repository.SandboxItems(notes.Add);
        var kept = items.Where(i => i.Type == "SandboxEnvironment").Select(i => i.Value).ToHashSet(StringComparer.Ordinal);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!kept.Contains(name) && SecretEnvironment.Reason(name, entry.Value as string) is not null)
                environment[name] = null;
        }
        return environment;
    }
}

/// <summary>
/// Where this machine keeps the SDK and the packages. <see cref="PackagesVariable"/>: NUGET_PACKAGES
/// as NuGet would see it unsandboxed (the user's value, else its default with the trailing slash
/// NuGet writes), so that restore records the same package folder either way. <see cref="CliHome"/>:
/// the user's home as the dotnet CLI and NuGet take it (DOTNET_CLI_HOME, else HOME).
/// </summary>
internal sealed record Machine(string Dotnet, string DotnetRoot, string PackageFolder, string PackagesVariable, string? HttpCache, string? UserNuGetConfig, string? CliHome = null)
{
    public static Machine Find()
    {
        var dotnet = FindDotnet();
        var real = new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet;
        var home = System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        // NuGet's home: DOTNET_CLI_HOME where it is set, else HOME.
        var nugetHome = System.Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cliHome ? cliHome : home;
        var packagesVariable = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(nugetHome, ".nuget", "packages") + "/";
        var httpCache = System.Environment.GetEnvironmentVariable("NUGET_HTTP_CACHE_PATH") is { Length: > 0 } c ? Path.GetFullPath(c) : Path.Combine(home, ".local", "share", "NuGet", "http-cache");
        return new Machine(dotnet, Path.GetDirectoryName(real)!, Path.GetFullPath(packagesVariable), packagesVariable, httpCache, Path.Combine(nugetHome, ".nuget", "NuGet", "NuGet.Config"), nugetHome);
    }

    /// <summary>The dotnet that runs this tool (DOTNET_HOST_PATH, set by the muxer), else the one on PATH.</summary>
    private static string FindDotnet()
    {
        if (System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        if (System.Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("dotnet was not found on PATH");
    }
}
