namespace Nono.Testing;

/// <summary>
/// A few tests need root: installing a setuid-root program, running a command as another user,
/// the root half of the escape suite. Where the tests do not run as root they skip, unless
/// NONO_REQUIRE_LANDLOCK=1 (CI, which runs as root) makes them fail: they must never go missing there.
/// </summary>
internal static class Root
{
    public static void Require(string why)
    {
        if (Environment.IsPrivilegedProcess)
            return;
        var reason = $"this test needs root: {why}";
        if (Environment.GetEnvironmentVariable("NONO_REQUIRE_LANDLOCK") == "1")
            Assert.Fail(reason + " (NONO_REQUIRE_LANDLOCK=1)");
        Assert.Skip(reason);
    }
}
