using System.Diagnostics;

namespace Nono.Build.Tasks.Tests;

/// <summary>The check of MSBuild's state files around a step, on real files (no step runs here).</summary>
public sealed class BuildStateTests : IDisposable
{
    private readonly string obj = Directory.CreateTempSubdirectory("nono-build-state-").FullName;

    public void Dispose() => Directory.Delete(obj, recursive: true);

    [Theory]
    [InlineData("app.assets.cache")]
    [InlineData("app.csproj.AssemblyReference.cache")]
    [InlineData("app.csproj.CoreCompileInputs.cache")]
    [InlineData("app.csproj.GenerateResource.cache")]
    [InlineData("app.AssemblyInfoInputs.cache")]
    [InlineData("app.GeneratedMSBuildEditorConfig.editorconfig")]
    [InlineData("app.AssemblyInfo.cs")]
    [InlineData(".NETCoreApp,Version=v10.0.AssemblyAttributes.cs")]
    [InlineData("app.GlobalUsings.g.cs")]
    [InlineData("app.csproj.FileListAbsolute.txt")]
    [InlineData("app.csproj.CopyComplete")]
    [InlineData("staticwebassets.build.json")]
    [InlineData("app.sourcelink.json")]
    public void MSBuildsOwnFiles_AreState(string name) => Assert.True(BuildState.IsState(name));

    [Theory]
    [InlineData("app.dll")]
    [InlineData("app.pdb")]
    [InlineData("Generated.cs")]
    [InlineData("version.txt")]
    [InlineData("app.deps.json")]
    [InlineData("Resources.resources")]
    public void WhatStepsGenerate_IsNot(string name) => Assert.False(BuildState.IsState(name));

    [Fact]
    public void CreatedChangedReplacedAndTouchedBack_AreFound_RemovedAndOtherFilesAreNot()
    {
        var assets = Write("app.assets.cache", "assets");
        var rar = Write("app.csproj.AssemblyReference.cache", "rar");
        var inputs = Write("app.csproj.CoreCompileInputs.cache", "hash1");
        var modified = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(inputs, modified);
        var list = Write("app.csproj.FileListAbsolute.txt", "list");
        var removed = Write("app.AssemblyInfo.cs", "info");
        Write("Generated.cs", "class A {}");
        var before = BuildState.Take([obj]);
        Assert.Equal(5, before.Count);

        File.AppendAllText(assets, "\nanalyzer");
        File.WriteAllText(inputs, "hash2");
        File.SetLastWriteTimeUtc(inputs, modified);
        File.WriteAllText(rar + ".new", "other");
        File.Move(rar + ".new", rar, overwrite: true);
        File.Delete(removed);
        Write("app.csproj.GenerateResource.cache", "new");
        File.WriteAllText(Path.Combine(obj, "Generated.cs"), "class B {}");

        var changes = before.Changes().OrderBy(c => c.Path, StringComparer.Ordinal).ToList();

        (string, string)[] expected =
        [
            (assets, $"changed '{assets}'"),
            (rar, $"replaced '{rar}'"),
            (inputs, $"changed '{inputs}' and put its modification time back"),
            (Path.Combine(obj, "app.csproj.GenerateResource.cache"), $"created '{Path.Combine(obj, "app.csproj.GenerateResource.cache")}'"),
        ];
        Assert.Equal(expected.OrderBy(c => c.Item1, StringComparer.Ordinal).ToList(), changes);
        Assert.True(File.Exists(list));
        Assert.True(BuildState.TryDelete(assets));
        Assert.False(File.Exists(assets));
    }

    /// <summary>
    /// What the check costs a step, on a folder like a real project's obj/Debug/net10.0/: a snapshot
    /// before and a comparison after, for a step that leaves the folder alone and for one that
    /// writes a file into it. The first calls (as in a build, where the task's code is not yet
    /// optimised) and the steady state.
    /// </summary>
    [Fact]
    public void Cost_OfOneStep()
    {
        foreach (var name in new[] { "app.assets.cache", "app.csproj.AssemblyReference.cache", "app.csproj.CoreCompileInputs.cache", "app.AssemblyInfoInputs.cache",
                     "app.GeneratedMSBuildEditorConfig.editorconfig", "app.AssemblyInfo.cs", ".NETCoreApp,Version=v10.0.AssemblyAttributes.cs", "app.GlobalUsings.g.cs",
                     "app.csproj.FileListAbsolute.txt", "app.dll", "app.pdb", "app.genruntimeconfig.cache", "app.sourcelink.json", "app.csproj.CopyComplete" })
            Write(name, name);
        foreach (var dir in new[] { "ref", "refint" })
            Directory.CreateDirectory(Path.Combine(obj, dir));
        string[] folders = [obj];
        var generated = Path.Combine(obj, "Generated.cs");
        var output = TestContext.Current.TestOutputHelper;

        double Measure(int rounds, bool writes)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < rounds; i++)
            {
                var state = BuildState.Take(folders);
                watch.Stop();
                if (writes)
                    File.WriteAllText(generated, "class G {}"); // the step, not measured
                watch.Start();
                Assert.Empty(state.Changes());
            }
            return watch.Elapsed.TotalMilliseconds / rounds;
        }

        output?.WriteLine($"state check, first step: {Measure(1, false):F3} ms; steps 2-20: {Measure(19, false):F3} ms each, writing into obj/: {Measure(20, true):F3} ms");
        Measure(2000, true);
        Thread.Sleep(500); // tiered compilation
        output?.WriteLine($"steady: {Measure(2000, false):F3} ms a step; writing into obj/: {Measure(2000, true):F3} ms");
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(obj, name);
        File.WriteAllText(path, content);
        return path;
    }
}
