using System.Net;
using System.Net.Sockets;
using System.Security;

[assembly: AssemblyFixture(typeof(Nono.Build.Tool.Tests.ToolEnvironment))]

namespace Nono.Build.Tool.Tests;

/// <summary>
/// Once per run: packs Nono.Build.Tool from this repository into a fresh feed and installs it
/// (the dotnet-nono command), packs two probe packages next to it, plants a secret in ~/.ssh, and
/// listens outside any build on a TCP port and a Unix socket (the stand-ins for the network and
/// for docker.sock or a D-Bus bus). Every build gets a private NuGet package folder. Everything
/// is removed at the end unless NONO_E2E_KEEP=1.
/// </summary>
public sealed class ToolEnvironment : IAsyncLifetime
{
    /// <summary>A package whose build targets run an inline task (reads the secret, writes the source tree, opens TCP and Unix connections, listens in /tmp) and a ToolTask (cat of the secret).</summary>
    public const string TaskProbeId = "Nono.E2E.TaskProbe";

    /// <summary>A package whose props read the secret with a property function at evaluation.</summary>
    public const string EvaluationProbeId = "Nono.E2E.EvaluationProbe";

    /// <summary>A package with a source generator (analyzers/dotnet/cs) that reads the secret while the compiler runs.</summary>
    public const string GeneratorProbeId = "Nono.E2E.GeneratorProbe";

    /// <summary>A package with a compiled task assembly (tasks/) whose task reads the secret, writes the source tree and opens TCP.</summary>
    public const string CompiledTaskProbeId = "Nono.E2E.CompiledTaskProbe";

    private bool createdSshDirectory;

    public ToolEnvironment()
    {
        RepoRoot = FindRepoRoot();
        Root = Directory.CreateTempSubdirectory("nono-tool-e2e-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        Packages = Directory.CreateDirectory(Path.Combine(Root, "packages")).FullName;
        Projects = Directory.CreateDirectory(Path.Combine(Root, "projects")).FullName;
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        SshDirectory = Path.Combine(home, ".ssh");
        var id = Guid.NewGuid().ToString("N");
        SecretFile = Path.Combine(SshDirectory, $"nono-tool-e2e-{id}");
        SecretContent = $"nono-tool-e2e-secret-{id}";
        TcpListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        TcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        TcpListener.Listen();
        UnixSocketPath = Path.Combine(Root, "outside.sock");
        UnixListener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        UnixListener.Bind(new UnixDomainSocketEndPoint(UnixSocketPath));
        UnixListener.Listen();
    }

    public string RepoRoot { get; }

    public string Root { get; }

    public string Feed { get; }

    /// <summary>NUGET_PACKAGES of every build: private to this run.</summary>
    public string Packages { get; }

    public string Projects { get; }

    public string SshDirectory { get; }

    public string SecretFile { get; }

    public string SecretContent { get; }

    /// <summary>dotnet-nono, as `dotnet tool install --tool-path` installed it.</summary>
    public string DotnetNono => Path.Combine(Root, "tool", "dotnet-nono");

    /// <summary>Listens on 127.0.0.1, outside every build: a connection here is the network.</summary>
    public Socket TcpListener { get; }

    public int TcpPort => ((IPEndPoint)TcpListener.LocalEndPoint!).Port;

    /// <summary>Listens outside every build: docker.sock's stand-in.</summary>
    public Socket UnixListener { get; }

    public string UnixSocketPath { get; }

    /// <summary>Whether a connection reached <paramref name="listener"/> since the last call (and takes them).</summary>
    public static bool Reached(Socket listener)
    {
        var reached = false;
        while (listener.Poll(0, SelectMode.SelectRead))
        {
            reached = true;
            listener.Accept().Dispose();
        }
        return reached;
    }

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Task.Run(Prepare);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private void Prepare()
    {
        // Stop MSBuild's and NuGet's upward search for Directory.Build.* and settings at the run's root.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");

        createdSshDirectory = !Directory.Exists(SshDirectory);
        Directory.CreateDirectory(SshDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(SecretFile, SecretContent + "\n");
        File.SetUnixFileMode(SecretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // The package users install, and the one it names for this machine (linux-x64: Native AOT).
        var machineRid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "linux-x64" : "any";
        foreach (var rid in new[] { null, machineRid })
        {
            string[] ridArguments = rid is null ? [] : ["-r", rid];
            var pack = Cli.Run(RepoRoot, null, "dotnet", ["pack", Path.Combine(RepoRoot, "src", "Nono.Build.Tool"), "-c", "Release", .. ridArguments, "-o", Feed,
                "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false"]);
            if (!pack.Succeeded)
                throw new InvalidOperationException($"packing Nono.Build.Tool {rid} failed:\n{pack}");
        }
        var install = Cli.Run(Root, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Packages },
            "dotnet", "tool", "install", "Nono.Build.Tool", "--tool-path", Path.Combine(Root, "tool"), "--add-source", Feed, "--version", "0.1.0");
        if (!install.Succeeded)
            throw new InvalidOperationException($"installing Nono.Build.Tool failed:\n{install}");

        PackBuildPackage(TaskProbeId, null, TaskProbeTargets());
        PackGeneratorPackage();
        PackCompiledTaskPackage();
        // The step sandbox, for builds whose Exec steps nest their own sandbox inside the whole build's.
        foreach (var project in new[] { Path.Combine(RepoRoot, "sdk", "Nono.Build.Sdk"), Path.Combine(RepoRoot, "src", "Nono") })
        {
            var sdk = Cli.Run(RepoRoot, null, "dotnet", "pack", project, "-c", "Release", "-o", Feed, "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
            if (!sdk.Succeeded)
                throw new InvalidOperationException($"packing {project} failed:\n{sdk}");
        }
        PackBuildPackage(EvaluationProbeId, $"""
            <Project>
              <PropertyGroup>
                <NonoProbeSecret>$([System.IO.File]::ReadAllText('{SecurityElement.Escape(SecretFile)}').Trim())</NonoProbeSecret>
              </PropertyGroup>
            </Project>
            """, """
            <Project>
              <Target Name="NonoShowEvaluatedSecret" AfterTargets="Build">
                <Message Importance="High" Text="NONO-PROBE evaluated secret=$(NonoProbeSecret)" />
              </Target>
            </Project>
            """);
    }

    /// <summary>The task probe: an inline task and an inline ToolTask, after Build.</summary>
    private string TaskProbeTargets() => $$"""
        <Project>
          <UsingTask TaskName="NonoInlineProbe" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
            <ParameterGroup>
              <SourceFile ParameterType="System.String" Required="true" />
              <Sockets ParameterType="System.String" />
            </ParameterGroup>
            <Task>
              <Using Namespace="System.Net" />
              <Using Namespace="System.Net.Sockets" />
              <Code Type="Fragment" Language="cs"><![CDATA[
                void Probe(string what, Action action)
                {
                    try { action(); Log.LogMessage(MessageImportance.High, "NONO-PROBE " + what + ": ok"); }
                    catch (Exception e) { Log.LogMessage(MessageImportance.High, "NONO-PROBE " + what + ": " + e.GetType().Name + " " + e.Message); }
                }
                Probe("read-secret", () => Log.LogMessage(MessageImportance.High, "NONO-PROBE secret=" + File.ReadAllText("{{SecretFile}}").Trim()));
                Probe("write-source", () => File.WriteAllText(SourceFile, "planted by a package"));
                Probe("tcp", () => { using (var c = new TcpClient()) c.Connect("127.0.0.1", {{TcpPort}}); });
                // Compiled against netstandard: UnixDomainSocketEndPoint is reached at run time.
                var unixEndPoint = Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets", true);
                foreach (var path in ("{{UnixSocketPath}};" + (Sockets ?? "")).Split(new[] { ';', '|' }, StringSplitOptions.RemoveEmptyEntries))
                    Probe("unix " + path, () => { using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)) s.Connect((EndPoint)Activator.CreateInstance(unixEndPoint, path)); });
                // Listening under a name in /tmp, where an unsandboxed client could take it for its server.
                var listenPath = "/tmp/nono-probe-" + Guid.NewGuid().ToString("N");
                Probe("listen-tmp", () => { using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)) { s.Bind((EndPoint)Activator.CreateInstance(unixEndPoint, listenPath)); s.Listen(1); } File.Delete(listenPath); });
              ]]></Code>
            </Task>
          </UsingTask>
          <UsingTask TaskName="NonoToolTaskProbe" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
            <Task>
              <Code Type="Class" Language="cs"><![CDATA[
                using Microsoft.Build.Framework;
                using Microsoft.Build.Utilities;
                public class NonoToolTaskProbe : ToolTask
                {
                    protected override string ToolName => "cat";
                    protected override string GenerateFullPathToTool() => "/bin/cat";
                    protected override string GenerateCommandLineCommands() => "{{SecretFile}}";
                    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;
                    protected override bool HandleTaskExecutionErrors()
                    {
                        Log.LogMessage(MessageImportance.High, "NONO-PROBE tooltask exit " + ExitCode);
                        return true;
                    }
                }
              ]]></Code>
            </Task>
          </UsingTask>
          <Target Name="NonoTaskProbes" AfterTargets="Build">
            <NonoInlineProbe SourceFile="$(MSBuildProjectDirectory)/planted-by-package.txt" Sockets="$(NonoProbeSockets)" />
            <NonoToolTaskProbe />
          </Target>
        </Project>
        """;

    public ValueTask DisposeAsync()
    {
        TcpListener.Dispose();
        UnixListener.Dispose();
        File.Delete(SecretFile);
        if (createdSshDirectory && Directory.Exists(SshDirectory) && !Directory.EnumerateFileSystemEntries(SshDirectory).Any())
            Directory.Delete(SshDirectory);
        if (Environment.GetEnvironmentVariable("NONO_E2E_KEEP") != "1" && Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The generator probe: compiled against the SDK's own Roslyn (the compiler that loads it),
    /// it reads the secret and reports what it got as a #warning in the generated source.
    /// </summary>
    private void PackGeneratorPackage()
    {
        var sdkRoslyn = Directory.GetDirectories(Path.Combine(Path.GetDirectoryName(DotnetPath())!, "sdk"))
            .Select(d => Path.Combine(d, "Roslyn", "bincore")).Where(Directory.Exists).OrderBy(d => d, StringComparer.Ordinal).Last();
        var source = Directory.CreateDirectory(Path.Combine(Root, "sources", "generator")).FullName;
        File.WriteAllText(Path.Combine(source, "Generator.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>{GeneratorProbeId}</AssemblyName>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{sdkRoslyn}/Microsoft.CodeAnalysis.dll" Private="false" />
                <Reference Include="{sdkRoslyn}/Microsoft.CodeAnalysis.CSharp.dll" Private="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(source, "Generator.cs"), $$"""
            using Microsoft.CodeAnalysis;
            [Generator]
            public sealed class NonoProbeGenerator : ISourceGenerator
            {
                public void Initialize(GeneratorInitializationContext context) { }
                public void Execute(GeneratorExecutionContext context)
                {
                    string result;
                    try { result = "read " + System.IO.File.ReadAllText("{{SecretFile}}").Trim(); }
                    catch (System.Exception e) { result = "denied " + e.GetType().Name; }
                    context.AddSource("NonoProbe.g.cs", "#warning NONO-PROBE generator " + result + "\n");
                }
            }
            """);
        var build = Cli.Run(source, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(source, "packages") },
            "dotnet", "build", "-c", "Release", "-o", Path.Combine(source, "out"), "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
        if (!build.Succeeded)
            throw new InvalidOperationException($"building the generator probe failed:\n{build}");
        PackBuildPackage(GeneratorProbeId, null, null, ("analyzers/dotnet/cs", Path.Combine(source, "out", GeneratorProbeId + ".dll")));
    }

    /// <summary>The compiled task probe: built against the SDK's own MSBuild assemblies, loaded by MSBuild from the package.</summary>
    private void PackCompiledTaskPackage()
    {
        var sdkDir = Directory.GetDirectories(Path.Combine(Path.GetDirectoryName(DotnetPath())!, "sdk"))
            .Where(d => File.Exists(Path.Combine(d, "Microsoft.Build.Utilities.Core.dll"))).OrderBy(d => d, StringComparer.Ordinal).Last();
        var source = Directory.CreateDirectory(Path.Combine(Root, "sources", "compiledtask")).FullName;
        File.WriteAllText(Path.Combine(source, "Task.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>{CompiledTaskProbeId}</AssemblyName>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{sdkDir}/Microsoft.Build.Framework.dll" Private="false" />
                <Reference Include="{sdkDir}/Microsoft.Build.Utilities.Core.dll" Private="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(source, "ProbeTask.cs"), $$"""
            using Microsoft.Build.Framework;
            public sealed class NonoCompiledProbe : Microsoft.Build.Utilities.Task
            {
                [Required] public string SourceFile { get; set; } = "";
                private void Probe(string what, System.Action action)
                {
                    try { action(); Log.LogMessage(MessageImportance.High, "NONO-PROBE compiled " + what + ": ok"); }
                    catch (System.Exception e) { Log.LogMessage(MessageImportance.High, "NONO-PROBE compiled " + what + ": " + e.GetType().Name); }
                }
                public override bool Execute()
                {
                    Probe("read-secret", () => Log.LogMessage(MessageImportance.High, "NONO-PROBE compiled secret=" + System.IO.File.ReadAllText("{{SecretFile}}").Trim()));
                    Probe("write-source", () => System.IO.File.WriteAllText(SourceFile, "planted by a compiled task"));
                    Probe("tcp", () => { using var c = new System.Net.Sockets.TcpClient(); c.Connect("127.0.0.1", {{TcpPort}}); });
                    return true;
                }
            }
            """);
        var build = Cli.Run(source, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(source, "packages") },
            "dotnet", "build", "-c", "Release", "-o", Path.Combine(source, "out"), "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
        if (!build.Succeeded)
            throw new InvalidOperationException($"building the compiled task probe failed:\n{build}");
        PackBuildPackage(CompiledTaskProbeId, null, $"""
            <Project>
              <UsingTask TaskName="NonoCompiledProbe" AssemblyFile="$(MSBuildThisFileDirectory)../tasks/{CompiledTaskProbeId}.dll" />
              <Target Name="NonoCompiledProbe" AfterTargets="Build">
                <NonoCompiledProbe SourceFile="$(MSBuildProjectDirectory)/planted-by-compiled-task.txt" />
              </Target>
            </Project>
            """, ("tasks", Path.Combine(source, "out", CompiledTaskProbeId + ".dll")));
    }

    private static string DotnetPath() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);

    /// <summary>Packs version 1.0.0 of a package that ships only build/&lt;Id&gt;.props and/or .targets into the feed.</summary>
    private void PackBuildPackage(string id, string? props, string? targets, (string PackagePath, string File)? extra = null)
    {
        var source = Directory.CreateDirectory(Path.Combine(Root, "sources", id)).FullName;
        Directory.CreateDirectory(Path.Combine(source, "build"));
        var extraItem = "";
        if (extra is { } e)
        {
            var copy = Path.Combine(source, "extra", Path.GetFileName(e.File));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(e.File, copy);
            extraItem = $"<None Include=\"extra/*\" Pack=\"true\" PackagePath=\"{e.PackagePath}/\" />";
        }
        if (props is not null)
            File.WriteAllText(Path.Combine(source, "build", id + ".props"), props);
        if (targets is not null)
            File.WriteAllText(Path.Combine(source, "build", id + ".targets"), targets);
        File.WriteAllText(Path.Combine(source, id + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>{id}</PackageId>
                <Version>1.0.0</Version>
                <Authors>e2e</Authors>
                <Description>Probe package for the whole-build sandbox.</Description>
                <IncludeBuildOutput>false</IncludeBuildOutput>
                <EnableDefaultItems>false</EnableDefaultItems>
                <NoWarn>$(NoWarn);NU5128</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <None Include="build/*" Pack="true" PackagePath="build/" />
                {extraItem}
              </ItemGroup>
            </Project>
            """);
        var result = Cli.Run(source, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(source, "packages") },
            "dotnet", "pack", "-o", Feed, "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
        if (!result.Succeeded)
            throw new InvalidOperationException($"packing {id} failed:\n{result}");
    }

    /// <summary>
    /// A new git repository under the run's root with a nuget.config for the run's feed (plus
    /// nuget.org where <paramref name="withNuGetOrg"/>) and one net10.0 project per name, each
    /// referencing <paramref name="packages"/>; <paramref name="solution"/> lists them all.
    /// </summary>
    public string NewRepository(string name, string[] projects, string[] packages, bool withNuGetOrg = false, string? extraItems = null)
    {
        var root = Directory.CreateDirectory(Path.Combine(Projects, $"{name}-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="e2e" value="{SecurityElement.Escape(Feed)}" />
                {(withNuGetOrg ? "<add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" />" : "")}
              </packageSources>
            </configuration>
            """);
        var references = string.Concat(packages.Select(p => $"<PackageReference Include=\"{p}\" Version=\"{(p.StartsWith("Nono.E2E.", StringComparison.Ordinal) ? "1.0.0" : PackageVersion(p))}\" />"));
        foreach (var project in projects)
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, project)).FullName;
            File.WriteAllText(Path.Combine(dir, project + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>{references}{extraItems}</ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(dir, "Class1.cs"), $"namespace {project};\npublic static class Class1 {{ public static int Answer => 42; }}\n");
        }
        var solution = Cli.Run(root, null, "dotnet", "new", "sln", "-n", "All", "--format", "slnx");
        Assert.True(solution.Succeeded, solution.ToString());
        foreach (var project in projects)
            Assert.True(Cli.Run(root, null, "dotnet", "sln", "All.slnx", "add", Path.Combine(project, project + ".csproj")).Succeeded);
        return root;
    }

    private static string PackageVersion(string id) => id switch
    {
        "Microsoft.NET.Test.Sdk" => "18.0.1",
        "xunit" => "2.9.3",
        "xunit.runner.visualstudio" => "3.1.5",
        _ => throw new ArgumentException($"no version for {id}", nameof(id)),
    };

    /// <summary>Plain dotnet: the control.</summary>
    public CliResult Dotnet(string directory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Cli.Run(directory, WithPackages(environment), "dotnet", args);

    /// <summary>dotnet nono, the installed tool.</summary>
    public CliResult Nono(string directory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Cli.Run(directory, WithPackages(environment), DotnetNono, args);

    private Dictionary<string, string?> WithPackages(IReadOnlyDictionary<string, string?>? environment)
    {
        var all = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["NUGET_PACKAGES"] = Packages };
        return all;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nono.Build.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Nono.Build.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// The test classes whose builds connect to the run's shared probe listeners (the plain controls,
/// the audit) or assert that nothing did: one after the other, or one class's connection shows
/// up in another's check (<see cref="ToolEnvironment.Reached"/> drains whatever arrived).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProbeListeners
{
    public const string Name = "probe listeners";
}
