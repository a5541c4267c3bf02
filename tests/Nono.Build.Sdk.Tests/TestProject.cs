using System.Security;
using System.Text;

namespace Nono.Build.Sdk.Tests;

/// <summary>
/// A small project-file builder: a net10.0 project that uses Nono.Build.Sdk from the run's feed,
/// with extra properties, items and targets given as XML, a nuget.config for the feed, and any
/// other files. <see cref="Build"/> and <see cref="MSBuild"/> run the real dotnet CLI on it with the
/// run's private NuGet package folder.
/// </summary>
public sealed class TestProject
{
    private readonly E2EEnvironment env;
    private readonly List<(string Name, string Value)> properties = [];
    private readonly List<string> items = [];
    private readonly List<string> targets = [];
    private readonly string feed;
    private readonly string packages;

    public TestProject(E2EEnvironment env, string name)
        : this(env, name, env.NewProjectDirectory(name), env.Feed, env.Packages)
    {
    }

    /// <summary>A project in <paramref name="directory"/> (created if missing) that restores from
    /// <paramref name="feed"/> into <paramref name="packages"/>: for builds run as another user.</summary>
    public TestProject(E2EEnvironment env, string name, string directory, string feed, string packages)
    {
        this.env = env;
        this.feed = feed;
        this.packages = packages;
        Name = name;
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
    }

    /// <summary>A project in a directory of the test's choosing (created if missing): an unusual path, or one of several under a common root.</summary>
    public TestProject(E2EEnvironment env, string name, string directory)
        : this(env, name, directory, env.Feed, env.Packages)
    {
    }

    public string Name { get; }

    public string Directory { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public string OutputType { get; set; } = "Library";

    /// <summary>False for a project that does not use Nono.Build.Sdk (the Nono library's consumer).</summary>
    public bool UseNonoSdk { get; set; } = true;

    public string Combine(params string[] parts) => Path.Combine([Directory, .. parts]);

    /// <summary>A property; the value is escaped as XML text and read by MSBuild as written.</summary>
    public TestProject Property(string name, string value)
    {
        properties.Add((name, value));
        return this;
    }

    /// <summary>Raw XML of one item, e.g. <c>&lt;SandboxRead Include="..." /&gt;</c>.</summary>
    public TestProject Item(string xml)
    {
        items.Add(xml);
        return this;
    }

    /// <summary>Raw XML of a target (or anything else that goes into the project's body).</summary>
    public TestProject Target(string xml)
    {
        targets.Add(xml);
        return this;
    }

    public TestProject File(string relativePath, string content, bool executable = false)
    {
        var path = Combine(relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        if (executable)
            System.IO.File.SetUnixFileMode(path, System.IO.File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return this;
    }

    /// <summary>Makes the project's directory a git repository root (not sandboxed: the test does it).</summary>
    public TestProject GitInit()
    {
        var result = Cli.Run(Directory, null, "git", "init", "-q");
        Assert.True(result.Succeeded, result.ToString());
        return this;
    }

    /// <summary>Writes the project file, nuget.config and (unless present) Class1.cs.</summary>
    public TestProject Write()
    {
        var xml = new StringBuilder();
        xml.Append("<Project Sdk=\"Microsoft.NET.Sdk\">\n");
        if (UseNonoSdk)
            xml.Append($"  <Sdk Name=\"Nono.Build.Sdk\" Version=\"{env.Version}\" />\n");
        xml.Append("  <PropertyGroup>\n");
        xml.Append("    <TargetFramework>net10.0</TargetFramework>\n");
        xml.Append($"    <OutputType>{OutputType}</OutputType>\n");
        xml.Append("    <ImplicitUsings>enable</ImplicitUsings>\n");
        xml.Append("    <Nullable>enable</Nullable>\n");
        foreach (var (name, value) in properties)
            xml.Append($"    <{name}>{SecurityElement.Escape(value)}</{name}>\n");
        xml.Append("  </PropertyGroup>\n");
        if (items.Count > 0)
        {
            xml.Append("  <ItemGroup>\n");
            foreach (var item in items)
                xml.Append("    ").Append(item).Append('\n');
            xml.Append("  </ItemGroup>\n");
        }
        foreach (var target in targets)
            xml.Append(target).Append('\n');
        xml.Append("</Project>\n");
        System.IO.File.WriteAllText(ProjectFile, xml.ToString());

        System.IO.File.WriteAllText(Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="e2e-feed" value="{SecurityElement.Escape(feed)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <!-- The packages under test come from the feed only, never from nuget.org. -->
              <packageSourceMapping>
                <packageSource key="e2e-feed">
                  <package pattern="Nono" />
                  <package pattern="Nono.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        if (!System.IO.File.Exists(Combine("Class1.cs")) && OutputType == "Library")
            File("Class1.cs", "namespace E2E;\n\npublic static class Class1\n{\n    public static int Answer => 42;\n}\n");
        return this;
    }

    /// <summary><c>dotnet build</c> of the project (with restore), normal verbosity, no build servers.</summary>
    public CliResult Build(params string[] args) => Build(null, args);

    public CliResult Build(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Dotnet(environment, ["build", ProjectFile, "-nologo", "-v:n", "-tl:off", "--disable-build-servers", "-nodeReuse:false", .. args]);

    /// <summary><c>dotnet msbuild</c> of the project (no restore unless asked), e.g. <c>-t:SomeTarget</c>.</summary>
    public CliResult MSBuild(params string[] args) => MSBuild(null, args);

    public CliResult MSBuild(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Dotnet(environment, ["msbuild", ProjectFile, "-nologo", "-v:n", "-tl:off", "-nodeReuse:false", "-p:UseSharedCompilation=false", .. args]);

    /// <summary>Any dotnet command in the project's directory with the run's NuGet package folder.</summary>
    public CliResult Dotnet(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal) { ["NUGET_PACKAGES"] = packages };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            merged[name] = value;
        return Cli.Run(Directory, merged, "dotnet", args);
    }
}
