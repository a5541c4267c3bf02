namespace Nono.Launcher.Tests;

public class SmokeTests
{
    [Fact]
    public void AllowedReadWorks_DeniedReadFails()
    {
        Landlock.Require();
        var ok = Launcher.Sh([], "cat /etc/hostname >/dev/null && echo ok");
        Assert.Equal(0, ok.ExitCode);
        var denied = Launcher.Sh([], "cat /proc/self/status");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.StdErr);
    }
}
