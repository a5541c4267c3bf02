using System.Security;
using System.Text.RegularExpressions;

[assembly: AssemblyFixture(typeof(Nono.Build.Sdk.Tests.E2EEnvironment))]

namespace Nono.Build.Sdk.Tests;

/// <summary>
/// Once per test run: packs Nono.Build.Sdk and Nono from this repository, plus a small package whose
/// build/*.targets runs an Exec, into a fresh feed; gives every build a private NuGet package folder
/// (so no package restored earlier, from anywhere, can stand in for the ones packed now); and plants a
/// secret in ~/.ssh for the tests to try to read. Everything is removed at the end, unless
/// NONO_E2E_KEEP=1 keeps the temporary directory for a look.
/// </summary>
public sealed partial class E2EEnvironment : IAsyncLifetime
{
    public const string PackageWithTargetsId = "Nono.E2E.PackageWithTargets";
    public const string PackageWithTargetsVersion = "1.0.0";

    /// <summary>A package whose props and targets try to configure the sandbox (see <see cref="MeddlingPackage"/>).</summary>
    public const string MeddlingPackageId = "Nono.E2E.Meddling";

    private bool createdSshDirectory;

    public E2EEnvironment()
    {
        RepoRoot = FindRepoRoot();
        Root = Directory.CreateTempSubdirectory("nono-e2e-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        Packages = Directory.CreateDirectory(Path.Combine(Root, "packages")).FullName;
        Projects = Directory.CreateDirectory(Path.Combine(Root, "projects")).FullName;
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        SshDirectory = Path.Combine(home, ".ssh");
        var id = Guid.NewGuid().ToString("N");
        SecretFile = Path.Combine(SshDirectory, $"nono-e2e-{id}");
        SecretContent = $"nono-e2e-secret-{id}";
    }

    public string RepoRoot { get; }

    /// <summary>The run's temporary directory: feed/, packages/, projects/.</summary>
    public string Root { get; }

    public string Feed { get; }

    /// <summary>NUGET_PACKAGES of every build: private to this run.</summary>
    public string Packages { get; }

    public string Projects { get; }

    public string SshDirectory { get; }

    /// <summary>A planted file in ~/.ssh that no sandboxed step may read.</summary>
    public string SecretFile { get; }

    public string SecretContent { get; }

    /// <summary>The version of the packed Nono.Build.Sdk and Nono packages.</summary>
    public string Version { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Prepare();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task Prepare()
    {
        // Stop MSBuild's and NuGet's upward search for Directory.Build.* and settings at the run's root.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");

        await Task.WhenAll(
            Task.Run(() =>
            {
                // One after the other: both build src/Nono.
                Pack(Path.Combine(RepoRoot, "sdk", "Nono.Build.Sdk"));
                Pack(Path.Combine(RepoRoot, "src", "Nono"));
            }),
            Task.Run(PackPackageWithTargets),
            Task.Run(() => PackBuildPackage(MeddlingPackageId, MeddlingPackage.Props, MeddlingPackage.Targets)));

        var sdk = Directory.GetFiles(Feed, "Nono.Build.Sdk.*.nupkg").Single();
        Version = SdkVersion().Match(Path.GetFileName(sdk)).Groups[1].Value;
        if (!File.Exists(Path.Combine(Feed, $"Nono.{Version}.nupkg")))
            throw new InvalidOperationException($"Nono.{Version}.nupkg is missing from {Feed}");

        createdSshDirectory = !Directory.Exists(SshDirectory);
        Directory.CreateDirectory(SshDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(SecretFile, SecretContent + "\n");
        File.SetUnixFileMode(SecretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(SecretFile);
        if (createdSshDirectory && Directory.Exists(SshDirectory) && !Directory.EnumerateFileSystemEntries(SshDirectory).Any())
            Directory.Delete(SshDirectory);
        if (Environment.GetEnvironmentVariable("NONO_E2E_KEEP") != "1" && Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
        return ValueTask.CompletedTask;
    }

    private void Pack(string project)
    {
        var result = Cli.Run(RepoRoot, null, "dotnet", "pack", project, "-c", "Release", "-o", Feed,
            "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
        if (!result.Succeeded)
            throw new InvalidOperationException($"packing {project} failed:\n{result}");
    }

    /// <summary>A package that ships build/&lt;Id&gt;.targets with an Exec after Build that reads the planted secret.</summary>
    private void PackPackageWithTargets() => PackBuildPackage(PackageWithTargetsId, null, $"""
        <Project>
          <Target Name="PackageStepAfterBuild" AfterTargets="Build">
            <Exec Command="cat {SecurityElement.Escape(SecretFile)}" />
          </Target>
        </Project>
        """);

    /// <summary>Packs version 1.0.0 of a package that ships only build/&lt;Id&gt;.props and/or .targets into the feed.</summary>
    private void PackBuildPackage(string id, string? props, string? targets)
    {
        var source = Directory.CreateDirectory(Path.Combine(Root, id)).FullName;
        Directory.CreateDirectory(Path.Combine(source, "build"));
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
                <Description>Test package with build props/targets.</Description>
                <IncludeBuildOutput>false</IncludeBuildOutput>
                <EnableDefaultItems>false</EnableDefaultItems>
                <NoWarn>$(NoWarn);NU5128</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <None Include="build/*" Pack="true" PackagePath="build/" />
              </ItemGroup>
            </Project>
            """);
        var result = Cli.Run(source, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(source, "packages") },
            "dotnet", "pack", "-o", Feed, "-nologo", "-v:m", "-tl:off", "--disable-build-servers", "-nodeReuse:false");
        if (!result.Succeeded)
            throw new InvalidOperationException($"packing {id} failed:\n{result}");
    }

    /// <summary>A new, empty project directory under the run's root.</summary>
    public string NewProjectDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(Projects, $"{name}-{Guid.NewGuid().ToString("N")[..8]}")).FullName;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nono.Build.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Nono.Build.sln not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^Nono\.Build\.Sdk\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex SdkVersion();
}
