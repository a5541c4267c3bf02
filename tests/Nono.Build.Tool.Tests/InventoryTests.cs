using System.Text.Json;

namespace Nono.Build.Tool.Tests;

/// <summary>
/// dotnet nono inventory: the third-party code a build runs, read from the packages' folders
/// without evaluating, loading or running any of it. The first tests read a package folder made
/// here (with real assemblies of the .NET SDK as its task assembly and analyzers); the last run
/// the packed tool on real packages.
/// </summary>
public sealed class InventoryTests(ToolEnvironment env) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nono-tool-inventory-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The .NET install that runs the tests: its SDK's and targeting pack's assemblies stand in for a package's.</summary>
    private static readonly string DotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static string SdkFile(string relative) =>
        Directory.GetDirectories(Path.Combine(DotnetRoot, "sdk")).Select(d => Path.Combine(d, relative)).Where(File.Exists).Order(StringComparer.Ordinal).Last();

    private static string TargetingPackFile(string relative) =>
        Directory.GetDirectories(Path.Combine(DotnetRoot, "packs", "Microsoft.NETCore.App.Ref")).Select(d => Path.Combine(d, relative)).Where(File.Exists).Order(StringComparer.Ordinal).Last();

    private string Write(string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private void Copy(string from, string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(from, path);
    }

    private void WriteBytes(string relative, params byte[] bytes)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A package "My.Pkg" with every kind of code, and things that look like code but are not.</summary>
    private string MakePackage()
    {
        Write("pkg/build/My.Pkg.props", """
            <Project>
              <PropertyGroup>
                <_MyPkgTasks Condition="'$(MSBuildRuntimeType)' != 'Core'">$(MSBuildThisFileDirectory)../tasks/net472/Missing.dll</_MyPkgTasks>
                <_MyPkgTasks Condition="'$(MSBuildRuntimeType)' == 'Core'">$(MSBuildThisFileDirectory)../tasks/net8.0/My.Pkg.Tasks.dll</_MyPkgTasks>
                <_MyPkgSteps>$(MSBuildThisFileDirectory)inner/Steps.targets</_MyPkgSteps>
              </PropertyGroup>
            </Project>
            """);
        Write("pkg/build/My.Pkg.targets", """
            <Project>
              <Import Project="$(_MyPkgSteps)" />
              <Import Project="../../outside.targets" />
              <UsingTask TaskName="Microsoft.Build.Tasks.Exec" AssemblyFile="$(_MyPkgTasks)" />
              <UsingTask TaskName="Copy" AssemblyFile="$(_MyPkgTasks)" />
              <UsingTask TaskName="SomeTask" AssemblyName="Some.Assembly, Version=1.0.0.0" />
            </Project>
            """);
        Write("pkg/build/inner/Steps.targets", """
            <Project>
              <UsingTask TaskName="MyFragment" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
                <Task><Code Type="Fragment" Language="cs">Log.LogMessage("hi");</Code></Task>
              </UsingTask>
              <UsingTask TaskName="MyTool" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
                <Task><Code Type="Class" Language="cs">public class MyTool : Microsoft.Build.Utilities.ToolTask { }</Code></Task>
              </UsingTask>
              <Target Name="MyPkgGenerate" BeforeTargets="CoreCompile">
                <Exec Command="echo one
                      &amp;&amp;   ./tools/linux_x64/mytool --out $(IntermediateOutputPath)" />
              </Target>
            </Project>
            """);
        // Outside the package: never read, whatever it holds.
        Write("outside.targets", """<Project><Target Name="Outside"><Exec Command="echo outside" /></Target></Project>""");
        Copy(SdkFile("Microsoft.Build.Tasks.Core.dll"), "pkg/tasks/net8.0/My.Pkg.Tasks.dll");
        WriteBytes("pkg/tools/linux_x64/mytool", 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0);
        WriteBytes("pkg/tools/osx/mytool", 0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1);
        Write("pkg/tools/win/mytool.exe", "MZ");
        Write("pkg/tools/any/run", "#!/bin/sh\necho hi\n");
        Write("pkg/tools/readme", "not a program");
        WriteBytes("pkg/runtimes/linux-x64/native/libmy.so", 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0);
        var generator = TargetingPackFile("analyzers/dotnet/cs/System.Text.Json.SourceGeneration.dll");
        Copy(generator, "pkg/analyzers/dotnet/roslyn4.0/cs/My.Generator.dll");
        Copy(generator, "pkg/analyzers/dotnet/roslyn4.8/cs/My.Generator.dll");
        Copy(SdkFile("Sdks/Microsoft.NET.Sdk/analyzers/Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll"), "pkg/analyzers/dotnet/cs/My.Analyzers.dll");
        Copy(SdkFile("Sdks/Microsoft.NET.Sdk/analyzers/Microsoft.CodeAnalysis.VisualBasic.NetAnalyzers.dll"), "pkg/analyzers/dotnet/vb/My.Analyzers.VB.dll");
        Write("pkg/analyzers/dotnet/cs/de/My.Analyzers.resources.dll", "satellite");
        return Path.Combine(root, "pkg");
    }

    [Fact]
    public void APackagesExecStepsTasksProgramsAnalyzersAndGenerators_AreReadFromItsFolder_WithoutRunningAny()
    {
        var package = MakePackage();

        var code = PackageCode.Read(package, "My.Pkg", languages: new HashSet<string> { "cs" });

        var exec = Assert.Single(code, c => c.Kind == PackageCode.Exec);
        Assert.Equal("MyPkgGenerate", exec.Name);
        Assert.Equal("build/inner/Steps.targets", exec.File);
        Assert.Equal("echo one && ./tools/linux_x64/mytool --out $(IntermediateOutputPath)", exec.Command);
        Assert.Equal(9, exec.Line);

        var inline = code.Where(c => c.Kind == PackageCode.InlineTask).ToDictionary(c => c.Name);
        Assert.Equal(["MyFragment", "MyTool"], inline.Keys.Order());
        Assert.Equal("RoslynCodeTaskFactory", inline["MyFragment"].Factory);
        Assert.False(inline["MyFragment"].ToolTask);
        Assert.True(inline["MyTool"].ToolTask);

        var tasks = code.Where(c => c.Kind == PackageCode.Task).ToDictionary(c => c.Name);
        // The .NET MSBuild definition of the property wins; Exec derives from ToolTask through ToolTaskExtension, in the same assembly.
        Assert.Equal("tasks/net8.0/My.Pkg.Tasks.dll", tasks["Microsoft.Build.Tasks.Exec"].Assembly);
        Assert.True(tasks["Microsoft.Build.Tasks.Exec"].ToolTask);
        Assert.False(tasks["Copy"].ToolTask);
        Assert.Equal("build/My.Pkg.targets", tasks["Copy"].File);
        Assert.Equal("Some.Assembly, Version=1.0.0.0", tasks["SomeTask"].Assembly);
        Assert.Null(tasks["SomeTask"].ToolTask);

        Assert.Equal(["tools/any/run", "tools/linux_x64/mytool", "tools/osx/mytool", "tools/win/mytool.exe"],
            code.Where(c => c.Kind == PackageCode.Tool).Select(c => c.File).Order(StringComparer.Ordinal));

        var generator = Assert.Single(code, c => c.Kind == PackageCode.Generator);
        Assert.Equal("analyzers/dotnet/roslyn4.8/cs/My.Generator.dll", generator.File);
        Assert.True(generator.Generators >= 1);
        var analyzer = Assert.Single(code, c => c.Kind == PackageCode.Analyzer);
        Assert.Equal("analyzers/dotnet/cs/My.Analyzers.dll", analyzer.File);
        Assert.True(analyzer.Analyzers > 10);
        Assert.Equal(0, analyzer.Generators);
        Assert.DoesNotContain(code, c => c.Name == "Outside" || c.Command == "echo outside");
    }

    [Fact]
    public void WithoutAnAssetsFileList_TheConventionalBuildFilesAreRead_AndEveryLanguagesAnalyzersCount()
    {
        var package = MakePackage();

        var code = PackageCode.Read(package, "my.pkg");

        Assert.Contains(code, c => c.Kind == PackageCode.Exec && c.Name == "MyPkgGenerate");
        Assert.Contains(code, c => c.File == "analyzers/dotnet/vb/My.Analyzers.VB.dll");
    }

    [Fact]
    public void TheAssetsFile_GivesEachPackagesFolderAndImports_AndTheJsonAndTableListTheCodePerPackage()
    {
        var package = MakePackage();
        var packages = Path.Combine(root, "packages");
        Directory.CreateDirectory(Path.Combine(packages, "my.pkg"));
        Directory.Move(package, Path.Combine(packages, "my.pkg", "1.2.3"));
        Directory.CreateDirectory(Path.Combine(packages, "plain.lib", "4.0.0"));
        var project = Write("App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("Lib/Lib.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var assetsFile = Write("App/obj/project.assets.json", $$"""
            {
              "version": 3,
              "targets": {
                "net10.0": {
                  "My.Pkg/1.2.3": { "type": "package", "build": { "build/My.Pkg.props": {}, "build/My.Pkg.targets": {} } },
                  "Plain.Lib/4.0.0": { "type": "package", "build": { "build/_._": {} } },
                  "Lib/1.0.0": { "type": "project" }
                }
              },
              "libraries": {
                "My.Pkg/1.2.3": { "type": "package", "path": "my.pkg/1.2.3", "files": [] },
                "Plain.Lib/4.0.0": { "type": "package", "path": "plain.lib/4.0.0", "files": [] },
                "Lib/1.0.0": { "type": "project", "path": "../Lib/Lib.csproj", "msbuildProject": "../Lib/Lib.csproj" }
              },
              "packageFolders": { "{{packages}}/": {} }
            }
            """);

        var assets = ProjectAssets.Read(project, assetsFile);
        var inventory = Inventory.Packages([assets]);

        Assert.Equal([Path.Combine(root, "Lib", "Lib.csproj")], assets.ProjectReferences);
        Assert.Equal(["My.Pkg", "Plain.Lib"], inventory.Select(p => p.Id));
        Assert.Equal(Path.Combine(packages, "my.pkg", "1.2.3"), inventory[0].Directory);
        Assert.Empty(inventory[1].Code);
        Assert.DoesNotContain(inventory[0].Code, c => c.File.Contains("/vb/", StringComparison.Ordinal));

        using var stream = new MemoryStream();
        Inventory.WriteJson(stream, [assets], inventory);
        using var json = JsonDocument.Parse(stream.ToArray());
        var myPkg = json.RootElement.GetProperty("packages")[0];
        Assert.Equal("My.Pkg", myPkg.GetProperty("id").GetString());
        Assert.Equal("1.2.3", myPkg.GetProperty("version").GetString());
        Assert.Contains(myPkg.GetProperty("code").EnumerateArray(), c =>
            c.GetProperty("kind").GetString() == "task" && c.GetProperty("name").GetString() == "Microsoft.Build.Tasks.Exec"
            && c.GetProperty("toolTask").GetBoolean() && c.GetProperty("assembly").GetString() == "tasks/net8.0/My.Pkg.Tasks.dll");
        Assert.Equal(0, json.RootElement.GetProperty("packages")[1].GetProperty("code").GetArrayLength());
        Assert.Equal(["My.Pkg/1.2.3", "Plain.Lib/4.0.0"], json.RootElement.GetProperty("projects")[0].GetProperty("packages").EnumerateArray().Select(p => p.GetString()));

        var table = Inventory.Table(inventory);
        Assert.Contains("My.Pkg 1.2.3  (App)", table);
        Assert.Matches(@"\n  exec +MyPkgGenerate +build/inner/Steps.targets:9  \$ echo one && ", table);
        Assert.Matches(@"\n  task +Microsoft.Build.Tasks.Exec +build/My.Pkg.targets:\d+  in tasks/net8.0/My.Pkg.Tasks.dll, ToolTask", table);
        Assert.DoesNotContain("Plain.Lib", table);
        Assert.Contains("1 more package with no code that runs in the build (--json lists them)", table);
    }

    [Fact]
    public void ASolutionsProjects_AreTheInventorysProjects()
    {
        Write("a/A.csproj", "<Project />");
        Write("b/B.vbproj", "<Project />");
        var slnx = Write("All.slnx", """<Solution><Folder Name="/x/"><Project Path="a/A.csproj" /></Folder><Project Path="b\B.vbproj" /></Solution>""");
        var sln = Write("All.sln", """
            Microsoft Visual Studio Solution File, Format Version 12.00
            Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "A", "a\A.csproj", "{11111111-1111-1111-1111-111111111111}"
            EndProject
            Project("{2150E333-8FDC-42A3-9474-1A3956D46DE8}") = "x", "x", "{22222222-2222-2222-2222-222222222222}"
            EndProject
            """);

        Assert.Equal([Path.Combine(root, "a", "A.csproj"), Path.Combine(root, "b", "B.vbproj")], Inventory.SolutionProjects(slnx));
        Assert.Equal([Path.Combine(root, "a", "A.csproj")], Inventory.SolutionProjects(sln));
    }

    [Fact]
    public void WithNoRestore_AProjectThatWasNotRestored_IsNONO4005_NamingIt()
    {
        var repo = env.NewRepository("inventory-unrestored", ["App"], []);

        var result = env.Nono(repo, null, "inventory", "--no-restore");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error NONO4005: {Path.Combine(repo, "App", "App.csproj")} has no obj/project.assets.json", result.Output);
        Assert.Contains("without --no-restore", result.Output);

        var misspelt = env.Nono(repo, null, "inventory", "--no-restore", "--jsn");

        Assert.Equal(1, misspelt.ExitCode);
        Assert.Contains("error NONO4004: inventory does not take '--jsn'", misspelt.Output);
    }

    [Fact]
    public void RealPackages_AfterASandboxedRestore_AreListedWithTheirTasksToolsAnalyzersAndGenerators()
    {
        Landlock.Require();
        var repo = env.NewRepository("inventory", ["App"],
            [ToolEnvironment.TaskProbeId, ToolEnvironment.CompiledTaskProbeId, ToolEnvironment.GeneratorProbeId], withNuGetOrg: true,
            extraItems: """
                <PackageReference Include="Grpc.Tools" Version="2.85.0" PrivateAssets="all" />
                <PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" />
                <PackageReference Include="CommunityToolkit.Mvvm" Version="8.4.2" />
                """);
        var marker = Path.Combine(repo, "App", "planted-by-package.txt");

        // stdout is the JSON alone: restore's output goes to stderr.
        var run = Cli.Run(repo, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = env.Packages },
            "/bin/sh", "-c", $"'{env.DotnetNono}' inventory --json > inventory.json");

        Assert.True(run.Succeeded, run.ToString());
        Assert.True(File.Exists(Path.Combine(repo, "App", "obj", "project.assets.json")), "the inventory restored first");
        Assert.False(File.Exists(marker), "a package's task ran");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "inventory.json")));
        var packages = json.RootElement.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        JsonElement[] Code(string id) => [.. packages[id].GetProperty("code").EnumerateArray()];
        static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";

        Assert.Contains(Code("Grpc.Tools"), c => Text(c, "kind") == "task" && Text(c, "name") == "Grpc.Tools.ProtoCompile"
            && c.GetProperty("toolTask").GetBoolean() && Text(c, "assembly") == "build/_protobuf/netstandard2.0/Protobuf.MSBuild.dll");
        Assert.Contains(Code("Grpc.Tools"), c => Text(c, "kind") == "task" && Text(c, "name") == "Grpc.Tools.ProtoToolsPlatform" && !c.GetProperty("toolTask").GetBoolean());
        Assert.Contains(Code("Grpc.Tools"), c => Text(c, "kind") == "tool" && Text(c, "file") == "tools/linux_x64/protoc");
        Assert.Contains(Code("Grpc.Tools"), c => Text(c, "kind") == "tool" && Text(c, "file") == "tools/linux_x64/grpc_csharp_plugin");
        Assert.Contains(Code("StyleCop.Analyzers"), c => Text(c, "kind") == "analyzer" && Text(c, "file") == "analyzers/dotnet/cs/StyleCop.Analyzers.dll"
            && c.GetProperty("analyzers").GetInt32() > 100);
        Assert.Contains(Code("CommunityToolkit.Mvvm"), c => Text(c, "kind") == "generator" && Text(c, "name") == "CommunityToolkit.Mvvm.SourceGenerators.dll"
            && c.GetProperty("generators").GetInt32() > 0);
        Assert.Contains(Code(ToolEnvironment.TaskProbeId), c => Text(c, "kind") == "inline-task" && Text(c, "name") == "NonoInlineProbe" && Text(c, "factory") == "RoslynCodeTaskFactory");
        Assert.Contains(Code(ToolEnvironment.TaskProbeId), c => Text(c, "kind") == "inline-task" && Text(c, "name") == "NonoToolTaskProbe" && c.GetProperty("toolTask").GetBoolean());
        Assert.Contains(Code(ToolEnvironment.CompiledTaskProbeId), c => Text(c, "kind") == "task" && Text(c, "name") == "NonoCompiledProbe"
            && Text(c, "assembly") == $"tasks/{ToolEnvironment.CompiledTaskProbeId}.dll" && !c.GetProperty("toolTask").GetBoolean());
        Assert.Contains(Code(ToolEnvironment.GeneratorProbeId), c => Text(c, "kind") == "generator" && c.GetProperty("generators").GetInt32() == 1);

        // The table, from what was restored.
        var table = env.Nono(repo, null, "inventory", "--no-restore", "App");
        Assert.True(table.Succeeded, table.ToString());
        Assert.Matches(@"\n  task +Grpc.Tools.ProtoCompile +build/_protobuf/Google.Protobuf.Tools.targets:\d+  in build/_protobuf/netstandard2.0/Protobuf.MSBuild.dll, ToolTask", table.Output);
        Assert.Matches(@"\n  tool +protoc +tools/linux_x64/protoc\n", table.Output);
        Assert.DoesNotContain("Restored", table.Output);
    }
}
