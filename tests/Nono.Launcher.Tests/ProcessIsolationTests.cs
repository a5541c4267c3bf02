using System.Diagnostics;
using System.Globalization;

namespace Nono.Launcher.Tests;

/// <summary>What a step can learn about or do to processes outside the sandbox, root or not.</summary>
public class ProcessIsolationTests
{
    [Fact]
    public void EnvironOfAProcessOutside_IsDenied_EvenWithProcGrantedAndAsRoot()
    {
        Landlock.Require();
        var psi = new ProcessStartInfo("sleep", "30") { UseShellExecute = false };
        psi.Environment["NONO_TEST_SECRET"] = "hunter2";
        using var outside = Process.Start(psi)!;
        try
        {
            var pid = outside.Id.ToString(CultureInfo.InvariantCulture);
            var r = Launcher.Sh(["--ro", "/proc"], """tr '\0' '\n' < "/proc/$1/environ"; echo "read=$?" """, pid);

            Assert.DoesNotContain("hunter2", r.StdOut);
            Assert.Contains("read=2", r.StdOut);
            Assert.Contains("Permission denied", r.StdErr);
        }
        finally
        {
            outside.Kill();
            outside.WaitForExit();
        }
    }

    [Fact]
    public void EveryCapabilityIsDropped()
    {
        Landlock.Require();
        var r = Launcher.Sh(["--ro", "/proc"], "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status");

        Assert.Equal(0, r.ExitCode);
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.All(lines, line => Assert.EndsWith("0000000000000000", line));
    }
}
