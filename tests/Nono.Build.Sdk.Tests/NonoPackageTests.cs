using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Nono.Build.Sdk.Tests;

/// <summary>The Nono library as a user gets it: a console app that references only the packed Nono package.</summary>
public sealed class NonoPackageTests(E2EEnvironment env)
{
    private const string Program = """
        using System.Diagnostics;
        using Nono;

        var allowedFile = args[0];
        var deniedFile = args[1];
        var caps = new CapabilitySet()
            .AllowPath("/usr", AccessMode.Read | AccessMode.Execute)
            .AllowPath("/lib", AccessMode.Read | AccessMode.Execute)
            .AllowPath(Path.GetDirectoryName(allowedFile)!, AccessMode.Read);
        if (OperatingSystem.IsLinux())
            Console.WriteLine($"launcher={SandboxedProcess.LauncherPath}");
        foreach (var (name, file) in new[] { ("allowed", allowedFile), ("denied", deniedFile) })
        {
            var psi = new ProcessStartInfo("/bin/cat", file) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = SandboxedProcess.Start(caps, psi);
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Console.WriteLine($"{name}: exit={process.ExitCode} out=[{output.Trim()}] err=[{error.Result.Trim()}]");
        }
        """;

    [Fact]
    public void ConsoleApp_StartsASandboxedChild_ThroughThePackage()
    {
        Landlock.Require();
        var project = new TestProject(env, "nono-app") { UseNonoSdk = false, OutputType = "Exe" }
            .Item($"""<PackageReference Include="Nono" Version="{env.Version}" />""")
            .File("Program.cs", Program)
            .Write();
        var allowedFile = project.Combine("granted", "data.txt");
        var deniedFile = project.Combine("not-granted", "secret.txt");
        project.File("granted/data.txt", "granted-content\n").File("not-granted/secret.txt", "not-granted-content\n");

        var build = project.Build();
        Assert.True(build.Succeeded, build.ToString());
        Assert.Contains("0 Warning(s)", build.Output);
        // The launcher where NuGet and Nono look for it: runtimes/<rid>/native/ of the package.
        var rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var restored = Path.Combine(env.Packages, "nono", env.Version);
        var runtimeFiles = Directory.Exists(Path.Combine(restored, "runtimes"))
            ? Directory.GetFiles(Path.Combine(restored, "runtimes"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(restored, f))
            : [];
        Assert.True(File.Exists(Path.Combine(restored, "runtimes", rid, "native", "nono-exec")),
            $"the Nono package has no runtimes/{rid}/native/nono-exec; it has: {string.Join(", ", runtimeFiles)}");
        var run = project.Dotnet(null, project.Combine("bin", "Debug", "net10.0", "nono-app.dll"), allowedFile, deniedFile);

        Assert.True(run.Succeeded, run.ToString());
        // nono-exec came with the package: restored into the private folder and copied to bin/.
        Assert.Matches($@"launcher=({Regex.Escape(project.Directory)}|{Regex.Escape(env.Packages)})/\S*runtimes/{rid}/native/nono-exec\n", run.Output);
        Assert.Contains("allowed: exit=0 out=[granted-content] err=[]", run.Output);
        Assert.Contains($"denied: exit=1 out=[] err=[/bin/cat: {deniedFile}: Permission denied]", run.Output);
    }
}
