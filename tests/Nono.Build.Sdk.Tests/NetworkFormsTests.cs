namespace Nono.Build.Sdk.Tests;

/// <summary>SandboxNetwork values as MSBuild hands them over: its wildcards never change what a step gets silently.</summary>
public sealed class NetworkFormsTests(E2EEnvironment env)
{
    /// <summary>'*' becomes the project's file names, '*:443' becomes nothing: both are errors that say what to write.</summary>
    [Theory]
    [InlineData("*", "write 'all' instead")]
    [InlineData("*:443", "write '443' instead")]
    public void AWildcard_IsAnErrorThatSaysWhatToWrite_AndNoStepRuns(string include, string instead)
    {
        var project = new TestProject(env, "network-wildcard-" + include.Length)
            .Item($"""<SandboxNetwork Include="{include}" />""")
            .Target("""<Target Name="Step"><Exec Command="echo the-step-ran" /></Target>""")
            .Write();

        var result = project.MSBuild("-t:Step");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error NONO1003", result.Output);
        Assert.Contains(instead, result.Output);
        Assert.DoesNotContain("the-step-ran", result.Output);
    }

    [Fact]
    public void All_AllowsTheNetwork_AndAnItemThatExpandsToNothing_IsAWarningNamingIt()
    {
        var project = new TestProject(env, "network-all")
            .Item("""<SandboxNetwork Include="all" />""")
            .Item("""<SandboxNetwork Include="$(NoSuchPorts)" />""")
            .Target("""<Target Name="Step"><Exec Command="python3 -c &quot;import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9)); print('udp-sent')&quot;" /></Target>""")
            .Write();

        var result = project.MSBuild("-t:Step");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("udp-sent", result.Output);
        Assert.Contains("warning NONO1004", result.Output);
        Assert.Contains("<SandboxNetwork Include=\"$(NoSuchPorts)\" /> expands to nothing", result.Output);
    }

    [Fact]
    public void AMalformedHostName_IsAnErrorNamingIt_AndNoStepRuns()
    {
        var project = new TestProject(env, "network-host")
            .Item("""<SandboxNetwork Include="api..nuget.org:443" />""")
            .Target("""<Target Name="Step"><Exec Command="echo the-step-ran" /></Target>""")
            .Write();

        var result = project.MSBuild("-t:Step");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error NONO1003", result.Output);
        Assert.Contains("'api..nuget.org' is not a host name", result.Output);
        Assert.DoesNotContain("the-step-ran", result.Output);
    }
}
