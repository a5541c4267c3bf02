namespace Nono.Build.Tool.Tests;

/// <summary>Which diagnostics the whole build gets, and which part of it a denial names: no build needed.</summary>
public sealed class BuildDiagnosticsTests : IDisposable
{
    private const string Packages = "/home/u/.nuget/packages";
    private const string DotnetRoot = "/usr/share/dotnet";
    private readonly string root = Directory.CreateTempSubdirectory("nono-tool-diagnostics-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static SandboxDenial Denial(string exe, string? command) =>
        new(SandboxOperation.Read, "read", "/home/u/secret", null, 42, exe, "EACCES") { CommandLine = command };

    [Theory]
    [InlineData("/usr/share/dotnet/dotnet", "/usr/share/dotnet/dotnet build -c Release", "MSBuild (evaluation or an in-process task)")]
    [InlineData("/usr/share/dotnet/dotnet", "/usr/share/dotnet/dotnet /usr/share/dotnet/sdk/10.0.100/MSBuild.dll /nodemode:1 /nodeReuse:false", "MSBuild (evaluation or an in-process task)")]
    [InlineData("/usr/share/dotnet/dotnet", "/usr/share/dotnet/dotnet exec /usr/share/dotnet/sdk/10.0.100/Roslyn/bincore/VBCSCompiler.dll -pipename:nono-x", "the compiler server (analyzers, generators)")]
    [InlineData("/usr/share/dotnet/sdk/10.0.100/Roslyn/bincore/csc", "/usr/share/dotnet/sdk/10.0.100/Roslyn/bincore/csc /noconfig @x.rsp", "the compiler (analyzers, generators)")]
    [InlineData("/usr/share/dotnet/dotnet", "/usr/share/dotnet/dotnet exec --runtimeconfig T.runtimeconfig.json /home/u/.nuget/packages/microsoft.testplatform.testhost/17.14.0/lib/net8.0/testhost.dll --port 4242", "a test host (the tests, test adapters)")]
    [InlineData("/home/u/.nuget/packages/grpc.tools/2.71.0/tools/linux_x64/protoc", "/home/u/.nuget/packages/grpc.tools/2.71.0/tools/linux_x64/protoc --csharp_out=obj a.proto", "package grpc.tools 2.71.0 (protoc)")]
    [InlineData("/usr/share/dotnet/dotnet", "/usr/share/dotnet/dotnet /home/u/.nuget/packages/some.tool/1.2.3/tools/net8.0/any/tool.dll gen", "package some.tool 1.2.3 (tool.dll)")]
    [InlineData("/usr/bin/cat", "cat /home/u/secret", "/usr/bin/cat")]
    [InlineData("/usr/bin/node", null, "/usr/bin/node")]
    public void EachDenial_NamesThePartOfTheBuild_ThatMadeIt(string exe, string? command, string expected) =>
        Assert.Equal(expected, BuildDiagnostics.Who(Denial(exe, command), Packages, DotnetRoot));

    [Fact]
    public void ADenialInMSBuild_NamesTheTaskTargetOrEvaluationThatRanOnItsNodeThen_WhereTheTimelineTellsTheNode()
    {
        // In-process node 1: an evaluation, then target T with the package's task P inside it;
        // worker node 2: task A, then target Copy.
        var timeline = Path.Combine(root, "timeline.tsv");
        string[] lines =
        [
            "evaluation\tSTART\t100000\t1\te1\t\t\t/r/App/App.csproj\t",
            "evaluation\tEND\t200000\t1\te1",
            "target\tSTART\t300000\t1\t1.1.-1\tT\t/r/App/App.csproj\t/r/App/App.csproj\t",
            $"task\tSTART\t310000\t1\t1.1.1\tP\t{Packages}/some.probe/1.0.0/build/Some.Probe.targets\t/r/App/App.csproj\t/tmp/inline.dll",
            "task\tEND\t320000\t1\t1.1.1",
            "target\tEND\t330000\t1\t1.1.-1",
            "task\tSTART\t400000\t2\t2.1.1\tA\t/r/A.targets\t/r/A/A.csproj\t/r/a.dll",
            "task\tEND\t550000\t2\t2.1.1",
            "target\tSTART\t560000\t2\t2.2.-1\tCopy\t/r/C.targets\t/r/C/C.csproj\t",
        ];
        File.WriteAllLines(timeline, lines);
        string Who(BuildTimeline read, string command, long milliseconds) => BuildDiagnostics.Who(
            Denial("/usr/share/dotnet/dotnet", command) with { Time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) }, Packages, DotnetRoot, read);
        const string main = "/usr/share/dotnet/dotnet build", worker = "/usr/share/dotnet/dotnet /usr/share/dotnet/sdk/10.0.100/MSBuild.dll /nodemode:1";
        const string unknown = "MSBuild (evaluation or an in-process task)";
        var one = BuildTimeline.Read(timeline);

        Assert.Equal("MSBuild, while it evaluated App.csproj (a property function or an import)", Who(one, main, 150));
        Assert.Equal("MSBuild, while it ran task P of package some.probe 1.0.0 (build/Some.Probe.targets) for App.csproj", Who(one, main, 315));
        Assert.Equal("MSBuild, while it ran target T (/r/App/App.csproj) for App.csproj", Who(one, main, 325));
        Assert.Equal(unknown, Who(one, main, 250)); // between them
        Assert.Equal("MSBuild, while it ran task A (/r/A.targets) for A.csproj", Who(one, worker, 500));
        Assert.Equal("MSBuild, while it ran target Copy (/r/C.targets) for C.csproj", Who(one, worker, 600));
        Assert.Equal(unknown, BuildDiagnostics.Who(Denial("/usr/share/dotnet/dotnet", main), Packages, DotnetRoot, one)); // no time

        // A second worker node: which process ran which node, the timeline does not say.
        File.WriteAllLines(timeline, [.. lines, "task\tSTART\t400000\t3\t3.1.1\tB\t/r/B.targets\t/r/B/B.csproj\t/r/b.dll"]);
        var two = BuildTimeline.Read(timeline);
        Assert.Equal(unknown, Who(two, worker, 500));
        // A program a task or an Exec started: the task one node ran then, if only one ran one.
        string Program(BuildTimeline read, long milliseconds) => BuildDiagnostics.Who(
            Denial("/usr/bin/git", "git status") with { Time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) }, Packages, DotnetRoot, read);
        Assert.Equal("/usr/bin/git, while MSBuild ran task P of package some.probe 1.0.0 (build/Some.Probe.targets) for App.csproj", Program(two, 315));
        Assert.Equal("/usr/bin/git, while MSBuild ran task A (/r/A.targets) for A.csproj", Program(one, 500));
        Assert.Equal("/usr/bin/git", Program(two, 500)); // A and B
        Assert.Equal("/usr/bin/git", Program(one, 600)); // no task
        Assert.Equal("MSBuild, while it ran task P of package some.probe 1.0.0 (build/Some.Probe.targets) for App.csproj", Who(two, main, 315));
    }

    [Fact]
    public void Settings_ComeFromTheCommandLineFirst_ThenFromTheRepositoryFilesAsWritten_AndAConditionalAuditIsNotTaken()
    {
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project><PropertyGroup><SandboxDiagnostics>true</SandboxDiagnostics></PropertyGroup></Project>");
        Directory.CreateDirectory(Path.Combine(root, "App"));
        File.WriteAllText(Path.Combine(root, "App", "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup Condition=\"'$(CI)' == 'true'\"><SandboxMode> Audit </SandboxMode></PropertyGroup></Project>");
        var repository = Repository.Find(Path.Combine(root, "App"));

        var warnings = new List<string>();

        // The project's SandboxMode=Audit has a condition, which is not evaluated: not taken (the
        // build stays enforced, with a warning); its SandboxDiagnostics=true is.
        var (mode, why) = BuildDiagnostics.Settings(repository, false, false, [], warnings.Add);
        Assert.Equal(Recording.Denials, mode);
        Assert.Equal($"SandboxDiagnostics=true at {Path.Combine(root, "Directory.Build.props")}(1)", why);
        Assert.Equal([$"dotnet nono: warning NONO4001: SandboxMode=Audit at {Path.Combine(root, "App", "App.csproj")}(1) has a condition, which dotnet nono does not evaluate: the build is enforced. Pass --audit to audit it."], warnings);
        // Written without a condition, it is taken.
        File.WriteAllText(Path.Combine(root, "App", "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><SandboxMode> Audit </SandboxMode></PropertyGroup></Project>");
        Assert.Equal((Recording.Audit, $"SandboxMode=Audit at {Path.Combine(root, "App", "App.csproj")}(1)"), BuildDiagnostics.Settings(repository, false, false, [], warnings.Add));
        // The command line wins, both ways.
        Assert.Equal(Recording.Denials, BuildDiagnostics.Settings(repository, false, false, ["-p:SandboxMode=Enforce"], warnings.Add).Mode);
        Assert.Equal(Recording.Off, BuildDiagnostics.Settings(repository, false, false, ["/p:SandboxMode=Enforce;SandboxDiagnostics=false"], warnings.Add).Mode);
        Assert.Equal((Recording.Audit, "--audit"), BuildDiagnostics.Settings(repository, true, true, ["-p:SandboxMode=Enforce"], warnings.Add));
        Assert.Equal((Recording.Denials, "--diagnostics"), BuildDiagnostics.Settings(repository, true, false, ["--property:SandboxMode=Enforce"], warnings.Add));
    }

    [Fact]
    public void TheDotnetClisWorkloadMetadata_IsNoise_AndTheRestIsNot()
    {
        Assert.True(BuildDiagnostics.IsBuildNoise(new(SandboxOperation.Create, "create", "/usr/share/dotnet/metadata/wuplwjiu.mua", null, 1, "/usr/share/dotnet/dotnet", "EACCES"), DotnetRoot));
        Assert.False(BuildDiagnostics.IsBuildNoise(new(SandboxOperation.Create, "create", "/usr/share/dotnet/sdk/x", null, 1, "/usr/share/dotnet/dotnet", "EACCES"), DotnetRoot));
        Assert.False(BuildDiagnostics.IsBuildNoise(Denial("/usr/share/dotnet/dotnet", null), DotnetRoot));
    }
}
