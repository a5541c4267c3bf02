using System.Text.Json;

namespace Nono.Launcher.Tests;

/// <summary>
/// Enforcement tests need the kernel's Landlock. Where it is missing they skip, unless
/// NONO_REQUIRE_LANDLOCK=1 (CI) makes them fail: a sandbox test must never pass silently.
/// </summary>
internal static class Landlock
{
    private static readonly Lazy<int> abi = new(() =>
    {
        var probe = Launcher.Run("--probe");
        return JsonDocument.Parse(probe.StdOut).RootElement.GetProperty("landlock_abi").GetInt32();
    });

    public static int Abi => abi.Value;

    public static void Require(int minimumAbi = 1)
    {
        if (Abi >= minimumAbi)
            return;
        var reason = $"this test needs Landlock ABI {minimumAbi}; the kernel has {Abi}";
        if (Environment.GetEnvironmentVariable("NONO_REQUIRE_LANDLOCK") == "1")
            Assert.Fail(reason + " and NONO_REQUIRE_LANDLOCK=1");
        Assert.Skip(reason);
    }
}
