using System.Diagnostics;

namespace Nono.Build.Tasks.Tests;

/// <summary>
/// MSBuild empties and deletes a step's temp directory with the user's full rights: it must follow
/// no link, even while something changes the tree under it.
/// </summary>
public sealed class TempDirectoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nono-tempdir-tests-").FullName;

    public void Dispose()
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_000_000);
        Directory.Delete(root, recursive: true);
    }

    /// <summary>A folder outside the temp directory, as a step would point links at.</summary>
    private string Victim()
    {
        var victim = Directory.CreateDirectory(Path.Combine(root, "victim")).FullName;
        for (var i = 0; i < 3; i++)
            File.WriteAllText(Path.Combine(victim, $"f{i}"), $"victim {i}");
        Directory.CreateDirectory(Path.Combine(victim, "sub"));
        File.WriteAllText(Path.Combine(victim, "sub", "f0"), "victim sub");
        return victim;
    }

    private static void AssertUntouched(string victim)
    {
        for (var i = 0; i < 3; i++)
            Assert.Equal($"victim {i}", File.ReadAllText(Path.Combine(victim, $"f{i}")));
        Assert.Equal("victim sub", File.ReadAllText(Path.Combine(victim, "sub", "f0")));
        Assert.Equal(5, Directory.EnumerateFileSystemEntries(victim, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void TryDelete_RemovesWhatAStepLeft_WithoutFollowingItsLinks()
    {
        var victim = Victim();
        var temp = Directory.CreateDirectory(Path.Combine(root, "step-temp")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(temp, "link-to-victim"), victim);
        File.CreateSymbolicLink(Path.Combine(temp, "link-to-file"), Path.Combine(victim, "f0"));
        var deep = temp;
        for (var i = 0; i < 300; i++)
            deep = Directory.CreateDirectory(Path.Combine(deep, "d")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(deep, "link"), victim);
        var locked = Directory.CreateDirectory(Path.Combine(temp, "locked")).FullName;
        File.WriteAllText(Path.Combine(locked, "inside"), "x");
        var readOnly = Directory.CreateDirectory(Path.Combine(temp, "read-only")).FullName;
        File.WriteAllText(Path.Combine(readOnly, "inside"), "x");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        // Names that are not UTF-8, a file and a directory with a file in it.
        using (var python = Process.Start("python3", ["-c",
            "import os, sys; d = os.fsencode(sys.argv[1]); open(d + b'/n\\xffn', 'w').close(); os.mkdir(d + b'/d\\xfe'); open(d + b'/d\\xfe/f', 'w').close()", temp]))
            python.WaitForExit();
        Assert.Equal(7, Directory.EnumerateFileSystemEntries(temp).Count());

        Assert.True(TempDirectory.TryEmpty(temp));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        Directory.CreateDirectory(Path.Combine(temp, "again", "and-again"));
        Assert.True(TempDirectory.TryDelete(temp));
        Assert.False(Directory.Exists(temp));
        AssertUntouched(victim);
        Assert.True(TempDirectory.TryDelete(temp)); // already gone
    }

    /// <summary>
    /// A process swaps a directory in the temp directory for a symlink to a victim folder, over and
    /// over, while the cleanup runs (the remove_dir_all race, CVE-2022-21658): the victim survives.
    /// .NET's own recursive Directory.Delete, which this replaced, lost the victim's files here.
    /// </summary>
    [Fact]
    public void Cleanup_FollowsNoLink_WhileAProcessSwapsDirectoriesForSymlinks()
    {
        var victim = Victim();
        var temp = Directory.CreateDirectory(Path.Combine(root, "step-temp")).FullName;
        var stop = Path.Combine(root, "stop");
        const string racer = """
            import os, sys
            temp, victim, stop = sys.argv[1:4]
            swaps = tries = 0
            while swaps < 300 and not os.path.exists(stop):
                for name in ("a", "b", "c"):
                    tries += 1
                    d = os.path.join(temp, name)
                    stage = os.path.join(os.path.dirname(temp), "stage-" + name)
                    try:
                        if os.path.islink(d):
                            os.unlink(d)
                        os.makedirs(os.path.join(stage, "sub"), exist_ok=True)
                        for f in ("f0", "f1", "f2", "sub/f0"):
                            open(os.path.join(stage, f), "w").close()
                        os.rename(stage, d)          # a full directory appears...
                        os.rename(d, f"{d}.{tries}")  # ...goes...
                        os.symlink(victim, d)         # ...and a link to the victim takes its name
                        swaps += 1
                    except OSError:
                        pass
            print(swaps)
            """;
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", racer, temp, victim, stop })
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var cleanups = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                TempDirectory.TryEmpty(temp);
                cleanups++;
            }
        }
        finally
        {
            File.WriteAllText(stop, "");
            Assert.True(process.WaitForExit(10_000), "the racing process did not stop");
        }
        var swaps = int.Parse(process.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(swaps >= 300 && cleanups > 10, $"too little racing to prove anything: {swaps} swaps, {cleanups} cleanups");
        AssertUntouched(victim);
        Assert.True(TempDirectory.TryDelete(temp));
        Assert.False(Directory.Exists(temp));
        AssertUntouched(victim);
    }
}
