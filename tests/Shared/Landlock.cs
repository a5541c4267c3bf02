namespace Nono.Testing;

/// <summary>
/// Enforcement tests need the kernel's Landlock. Where it is missing they skip, unless
/// NONO_REQUIRE_LANDLOCK=1 (CI) makes them fail: a sandbox test must never pass silently.
/// </summary>
internal static class Landlock
{
    public static void Require()
    {
        var support = Sandbox.Support;
        if (support.IsSupported && support.Platform == "linux")
            return;
        var reason = support.Platform == "linux"
            ? $"this test needs Landlock: {support.Reason}"
            : $"this test needs Landlock, which is Linux's; this is {support.Platform} (Seatbelt is tested by tests/Nono.Tests/MacOS)";
        if (Environment.GetEnvironmentVariable("NONO_REQUIRE_LANDLOCK") == "1")
            Assert.Fail(reason + " (NONO_REQUIRE_LANDLOCK=1)");
        Assert.Skip(reason);
    }
}
