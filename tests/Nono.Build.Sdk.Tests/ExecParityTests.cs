namespace Nono.Build.Sdk.Tests;

/// <summary>The sandboxed Exec behaves as MSBuild's own: output parsing, standard error, ConsoleOutput, exit codes, Timeout, EchoOff.</summary>
public sealed class ExecParityTests(E2EEnvironment env)
{
    [Fact]
    public void ErrorAndWarningLines_ConsoleOutput_IgnoreExitCode_Timeout_EchoOff_BehaveAsExec()
    {
        Landlock.Require();
        // A sleep no other process has on its command line: what is left of the step after its timeout.
        var sleep = $"sleep 30.{Random.Shared.Next(100000, 999999)}";
        var project = new TestProject(env, "parity")
            .Target($$"""
                <Target Name="Parity">
                  <Exec Command="echo 'foo.cs(2,3): warning WRN042: careful'" />
                  <Exec Command="echo captured-one; echo captured-two" ConsoleToMSBuild="true">
                    <Output TaskParameter="ConsoleOutput" ItemName="E2ECaptured" />
                  </Exec>
                  <Message Importance="high" Text="captured=[@(E2ECaptured, '|')]" />
                  <Exec Command="echo exiting; exit 3" IgnoreExitCode="true">
                    <Output TaskParameter="ExitCode" PropertyName="E2EExitCode" />
                  </Exec>
                  <Message Importance="high" Text="exit code was $(E2EExitCode)" />
                  <Exec Command="echo echo-off-`expr 40 + 2`" EchoOff="true" />
                  <Exec Command="echo echo-on-`expr 40 + 3`" />
                  <Exec Command="echo line-to-stderr 1>&amp;2; printf 'last-line-without-newline'" />
                  <Exec Command="echo stderr-as-error 1>&amp;2" LogStandardErrorAsError="true" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="echo 'foo.cs(1,1): error ABC123: boom'" ContinueOnError="ErrorAndContinue" />
                  <Exec Command="{{sleep}} &amp; {{sleep}}" Timeout="2000" ContinueOnError="ErrorAndContinue" />
                  <Message Importance="high" Text="after the timeout" />
                </Target>
                """)
            .Write();

        var result = project.MSBuild("-t:Parity");

        Assert.Contains(" scrubbed (" + project.ProjectFile + ")", result.Output);
        // A canonical error line fails the build with its code; a warning line is a warning.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("foo.cs(1,1): error ABC123: boom", result.Output);
        Assert.Contains("foo.cs(2,3): warning WRN042: careful", result.Output);
        Assert.Contains("captured=[captured-one|captured-two]", result.Output);
        Assert.Contains("exit code was 3", result.Output);
        // EchoOff hides the command, not its output.
        Assert.Contains("echo-off-42", result.Output);
        Assert.DoesNotContain("echo-off-`expr", result.Output);
        Assert.Contains("echo echo-on-`expr 40 + 3`", result.Output);
        Assert.Contains("echo-on-43", result.Output);
        // Standard error is logged too, as an error with LogStandardErrorAsError; a last line without a newline is not lost.
        Assert.Contains("line-to-stderr", result.Output);
        Assert.Contains("last-line-without-newline", result.Output);
        Assert.Matches(@"error\s*:\s*stderr-as-error", result.Output);
        // The timed-out step is killed, with everything it started, and the build goes on at once.
        Assert.Contains("MSB5002", result.Output);
        Assert.Contains("after the timeout", result.Output);
        Assert.True(result.Duration < TimeSpan.FromSeconds(25), $"the build took {result.Duration}: the timeout did not end the step");
        var left = Cli.Run(project.Directory, null, "pgrep", "-af", sleep);
        Assert.True(left.ExitCode == 1, $"processes of the timed-out step are still running:\n{left.Output}");
    }
}
