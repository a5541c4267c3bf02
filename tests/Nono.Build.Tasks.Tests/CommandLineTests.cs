using CsCheck;

namespace Nono.Build.Tasks.Tests;

public class CommandLineTests
{
    [Theory]
    [InlineData(" -c \". /tmp/MSBuildTemproot/tmp1a2b.exec.cmd\"", "/tmp/MSBuildTemproot/tmp1a2b.exec.cmd")]
    [InlineData("-c \"\"\"export LANG=en_US.UTF-8; export LC_ALL=en_US.UTF-8; . /tmp/MSBuildTemp/x.exec.cmd\"\"\"", "/tmp/MSBuildTemp/x.exec.cmd")]
    [InlineData("-c \". \"/tmp/with space/x.exec.cmd\"\"", "/tmp/with space/x.exec.cmd")]
    [InlineData("-c \"echo hi\"", null)]
    public void ExecScript_IsFoundInEitherCommandLineShape(string commandLine, string? script) =>
        Assert.Equal(script, SandboxExec.ExecScript(commandLine));

    [Theory]
    [InlineData("/usr/bin", "/usr/bin")]
    [InlineData("--rox", "--rox")]
    [InlineData("/a b", "\"/a b\"")]
    [InlineData("/q\"uote", "\"/q\\\"uote\"")]
    [InlineData("/back\\slash", "\"/back\\slash\"")]
    [InlineData("/end\\", "\"/end\\\\\"")]
    [InlineData("/a\\\"b", "\"/a\\\\\\\"b\"")]
    [InlineData("", "\"\"")]
    public void Quote_RoundTripsThroughDotNetsSplitting(string arg, string quoted)
    {
        Assert.Equal(quoted, LauncherCommandLine.Quote(arg));
        var psi = new System.Diagnostics.ProcessStartInfo("x", quoted + " next");
        Assert.Equal([arg, "next"], SplitLikeDotNet(psi.Arguments));
    }

    [Theory]
    [InlineData(" -c \". /tmp/MSBuildTemproot/tmp1a2b.exec.cmd\"")]
    [InlineData("-c \"\"\"export LANG=en_US.UTF-8; export LC_ALL=en_US.UTF-8; . /tmp/MSBuildTemp/x.exec.cmd\"\"\"")]
    [InlineData("--errors /tmp/e --null-stdin -- sh \"a\\\\\\\"b\" \"\" \t c\\d\\")]
    public void Split_GivesTheArgumentsDotNetPassesAProcess(string commandLine) =>
        Assert.Equal(SplitLikeDotNet(commandLine), LauncherCommandLine.Split(commandLine));

    [Fact]
    public void Split_AgreesWithDotNet_OnAnyMixOfBlanksQuotesAndBackslashes() =>
        Gen.String[Gen.Char["ab \t\"\\"], 0, 12].Sample(
            commandLine => Assert.Equal(SplitLikeDotNet(commandLine), LauncherCommandLine.Split(commandLine)), iter: 200);

    /// <summary>What the runtime passes as argv for ProcessStartInfo.Arguments on Unix.</summary>
    private static List<string> SplitLikeDotNet(string arguments)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/printf", "%s\\n first " + arguments)
        {
            RedirectStandardOutput = true,
        })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return [.. output.Split('\n')[1..^1]];
    }
}
