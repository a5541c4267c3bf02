namespace Nono.Build.Tasks.Tests;

public sealed class DiagnosticsNoiseTests
{
    private static SandboxDenial Denial(SandboxOperation op, string target, string exe = "/usr/bin/tool", string? name = null) =>
        new(op, name ?? op.ToString().ToLowerInvariant(), target, null, 42, exe, "EACCES");

    [Theory]
    [InlineData(SandboxOperation.Write, "/proc/22069/task/22073/comm", "/usr/share/dotnet/dotnet")]
    [InlineData(SandboxOperation.Write, "/proc/self/task/7/comm", "/usr/bin/node")]
    [InlineData(SandboxOperation.Create, "/tmp/nono-step-x/dotnet-diagnostic-22069-123-socket", "/usr/share/dotnet/dotnet")]
    [InlineData(SandboxOperation.Create, "/tmp/nono-build-x/build/tmp/clr-debug-pipe-19353-2061484-in", "/usr/share/dotnet/dotnet")]
    [InlineData(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM", "/usr/share/dotnet/dotnet")]
    [InlineData(SandboxOperation.Create, "/srv/tool/__pycache__", "/usr/bin/python3.11")]
    [InlineData(SandboxOperation.Write, "/srv/tool/__pycache__/m.cpython-311.pyc.123", "/usr/bin/python3.11")]
    public void TheRuntimesOwnNoise_IsFiltered(SandboxOperation op, string target, string exe) =>
        Assert.Empty(RuntimeNoise.Without([Denial(op, target, exe)]));

    [Fact]
    public void IoUring_IsNoise_AndRealDenialsStay()
    {
        var real = Denial(SandboxOperation.Read, "/home/u/.config/tool/settings.json");
        Assert.Equal([real], RuntimeNoise.Without([Denial(SandboxOperation.Other, "io_uring_setup", name: "io_uring"), real,
            Denial(SandboxOperation.Write, "/proc/1/comm")]));
        Assert.NotEmpty(RuntimeNoise.Without([Denial(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM", "/usr/bin/curl")]));
        Assert.NotEmpty(RuntimeNoise.Without([Denial(SandboxOperation.Write, "/proc/1/oom_score_adj")]));
    }

    private static string Hints(params string[] lines)
    {
        var hints = new StepOutputHints();
        foreach (var line in lines)
            hints.Observe(line);
        return string.Join("\n", hints.Messages(new CapabilitySet()));
    }

    [Theory]
    [InlineData("curl: (6) Could not resolve host: api.nuget.org")]
    [InlineData("socket.gaierror: [Errno -3] Temporary failure in name resolution")]
    [InlineData("npm error request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org")]
    [InlineData("System.Net.Http.HttpRequestException: Resource temporarily unavailable (api.nuget.org:443)")]
    public void ANameResolutionFailure_NamesTheNetwork(string line) =>
        Assert.Contains("NONO3004: the step's output shows a failed name resolution", Hints(line));

    [Theory]
    [InlineData("npm error request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", "registry.npmjs.org")]
    [InlineData("curl: (6) Could not resolve host: api.nuget.org", "api.nuget.org")]
    [InlineData("ssh: Could not resolve hostname github.com: Temporary failure in name resolution", "github.com")]
    [InlineData("urllib3.exceptions.NameResolutionError: Failed to resolve 'pypi.org' ([Errno -3] Temporary failure in name resolution)", "pypi.org")]
    [InlineData("System.Net.Http.HttpRequestException: Resource temporarily unavailable (api.nuget.org:443)", "api.nuget.org")]
    public void ANameResolutionFailure_NamesTheItemForItsHost(string line, string host) =>
        Assert.Contains($"add <SandboxNetwork Include=\"{host}\" />", Hints(line));

    [Theory]
    [InlineData("bash: connect: Permission denied", "PORT")]
    [InlineData("Error: connect EACCES 104.16.0.1:443", "<SandboxNetwork Include=\"443\" />")]
    public void ARefusedConnection_NamesThePort(string line, string item) =>
        Assert.Contains(item, Hints(line));

    [Theory]
    [InlineData("cat: /srv/data/input.txt: Permission denied", "/srv/data/input.txt")]
    [InlineData("touch: cannot touch '/srv/cache/entry': Permission denied", "/srv/cache/entry")]
    [InlineData("PermissionError: [Errno 13] Permission denied: '/srv/data/x.json'", "/srv/data/x.json")]
    [InlineData("npm error Error: EACCES: permission denied, mkdir '/srv/npm-cache/_cacache'", "/srv/npm-cache/_cacache")]
    [InlineData("Unhandled exception. System.UnauthorizedAccessException: Access to the path '/srv/data/y' is denied.", "/srv/data/y")]
    public void PermissionDenied_NamesThePath_AndTheItems(string line, string path)
    {
        var text = Hints(line);
        Assert.Contains($"'Permission denied' for '{path}'", text);
        Assert.Contains($"<SandboxRead Include=\"{Path.GetDirectoryName(path)}\" />", text);
        Assert.Contains($"<SandboxWrite Include=\"{Path.GetDirectoryName(path)}\" />", text);
    }

    [Fact]
    public void NothingFamiliar_NoHint() => Assert.Equal("", Hints("error CS1002: ; expected", "make: *** [all] Error 2"));
}
