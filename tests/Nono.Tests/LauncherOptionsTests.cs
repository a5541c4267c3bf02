using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Nono.Tests;

/// <summary><see cref="LauncherOptions"/> mirrors nono-exec's own option table, which prints its --help.</summary>
public sealed partial class LauncherOptionsTests
{
    [GeneratedRegex(@"^  (--[a-z-]+)(?: (\S+))? +(.+)$")]
    private static partial Regex HelpLine();

    [Fact]
    public void TheMirror_IsTheLaunchersTable_NameValueAndUsage()
    {
        var psi = new ProcessStartInfo(Native.NativeAssets.Launcher(), "--help") { RedirectStandardOutput = true };
        using var launcher = Process.Start(psi)!;
        var help = launcher.StandardOutput.ReadToEnd();
        launcher.WaitForExit();

        var fromHelp = help.Split('\n').Select(line => HelpLine().Match(line)).Where(m => m.Success)
            .Select(m => new LauncherOption(m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null, m.Groups[3].Value))
            .ToList();
        Assert.Equal(fromHelp, LauncherOptions.All);
    }

    [Fact]
    public void EveryOption_IsFoundByName_AndEveryAccessHasItsPathOption()
    {
        foreach (var option in LauncherOptions.All)
            Assert.Same(option, LauncherOptions.Find(option.Name));
        Assert.Null(LauncherOptions.Find("--frobnicate"));
        Assert.Equal("--rwx", LauncherOptions.ForAccess(AccessMode.ReadWrite | AccessMode.Execute).Name);
        Assert.Throws<NonoException>(() => LauncherOptions.ForAccess(AccessMode.None));
    }
}
