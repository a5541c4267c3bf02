using Nono.Egress;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks.Tests;

public class PolicyItemsTests
{
    private sealed class Engine : IBuildEngine
    {
        public List<BuildErrorEventArgs> Errors { get; } = [];
        public List<BuildWarningEventArgs> Warnings { get; } = [];
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test.proj";
        public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties, System.Collections.IDictionary targetOutputs) => false;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
    }

    private static (PolicyItems Items, Engine Engine) Create(string projectDirectory)
    {
        var engine = new Engine();
        var log = new TaskLoggingHelper(engine, "test");
        return (new PolicyItems(log, projectDirectory), engine);
    }

    [Theory]
    [InlineData("all", true, new int[0])]
    [InlineData("ALL", true, new int[0])]
    [InlineData("443", false, new[] { 443 })]
    [InlineData(" 8443 ", false, new[] { 8443 })]
    public void Network_AcceptedForms(string spec, bool all, int[] ports)
    {
        var (items, engine) = Create("/nonexistent-project");
        var caps = new CapabilitySet();
        var hosts = new List<HostPattern>();
        Assert.True(items.AddNetwork(caps, [new TaskItem(spec)], hosts));
        Assert.Equal(all ? NetworkMode.AllowAll : NetworkMode.Blocked, caps.NetworkMode);
        Assert.Equal(ports, caps.TcpConnectPorts);
        Assert.Empty(hosts);
        Assert.Empty(engine.Errors);
    }

    [Theory]
    [InlineData("api.nuget.org:443", "api.nuget.org:443")]
    [InlineData("Example.COM.", "example.com")]
    [InlineData(".nuget.org", ".nuget.org")]
    [InlineData(".nuget.org:8443", ".nuget.org:8443")]
    [InlineData("localhost", "localhost")]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("[::1]:8080", "[::1]:8080")]
    public void Network_HostForms_AreForTheEgressProxy_AndOpenNoPort(string spec, string pattern)
    {
        var (items, engine) = Create("/nonexistent-project");
        var caps = new CapabilitySet();
        var hosts = new List<HostPattern>();
        Assert.True(items.AddNetwork(caps, [new TaskItem(spec), new TaskItem(spec)], hosts));
        Assert.Equal(NetworkMode.Blocked, caps.NetworkMode);
        Assert.Empty(caps.TcpConnectPorts);
        Assert.Equal(pattern, Assert.Single(hosts).ToString());
        Assert.Empty(engine.Errors);
    }

    [Theory]
    [InlineData("exa mple.com", "is not a host name")]
    [InlineData(".127.0.0.1", "names an address as a domain")]
    [InlineData("2130706433.5", "is not a host name")]
    [InlineData("*", "write 'all' instead")]
    [InlineData("*:443", "write '443' instead")]
    [InlineData("*.nuget.org", "write '.nuget.org'")]
    [InlineData("0", "expected 'all', a TCP port")]
    [InlineData("70000", "expected 'all', a TCP port")]
    [InlineData("-1", "expected 'all', a TCP port")]
    [InlineData("example.com:99999", "is not a TCP port")]
    public void Network_OtherForms_AreErrorsThatNeverWiden(string spec, string why)
    {
        var (items, engine) = Create("/nonexistent-project");
        var caps = new CapabilitySet();
        var hosts = new List<HostPattern>();
        Assert.False(items.AddNetwork(caps, [new TaskItem(spec)], hosts));
        Assert.Equal(NetworkMode.Blocked, caps.NetworkMode);
        Assert.Empty(caps.TcpConnectPorts);
        Assert.Empty(hosts);
        var error = Assert.Single(engine.Errors);
        Assert.Equal("NONO1003", error.Code);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Network_AValueThatNamesAProjectFile_IsAnExpandedWildcard()
    {
        var project = Directory.CreateTempSubdirectory("nono-items-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(project, "Class1.cs"), "");
            var (items, engine) = Create(project);
            var caps = new CapabilitySet();
            Assert.False(items.AddNetwork(caps, [new TaskItem("Class1.cs")], new List<HostPattern>()));
            Assert.Equal(NetworkMode.Blocked, caps.NetworkMode);
            var error = Assert.Single(engine.Errors);
            Assert.Equal("NONO1003", error.Code);
            Assert.Contains("expanded a wildcard", error.Message);
            Assert.Contains("Include=\"all\"", error.Message);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public void Paths_RelativeToTheProject_WriteCreatesMissingDirectories_MissingReadIsAnError()
    {
        var project = Directory.CreateTempSubdirectory("nono-items-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(project, "data"));
            var tool = new TaskItem("tools");
            var (items, engine) = Create(project);
            var caps = new CapabilitySet();

            var withExecute = new TaskItem("data");
            withExecute.SetMetadata("Execute", "true");
            Assert.True(items.AddPaths(caps, [withExecute], [new TaskItem("out/generated")]));
            Assert.True(Directory.Exists(Path.Combine(project, "out", "generated")));
            Assert.Collection(caps.FileSystem,
                c => Assert.Equal((Path.Combine(project, "data"), AccessMode.Read | AccessMode.Execute), (c.ResolvedPath, c.Access)),
                c => Assert.Equal((Path.Combine(project, "out", "generated"), AccessMode.ReadWrite | AccessMode.CreateSymlink), (c.ResolvedPath, c.Access)));

            Assert.False(items.AddPaths(caps, [tool], []));
            var error = Assert.Single(engine.Errors);
            Assert.Equal("NONO1001", error.Code);
            Assert.Contains(Path.Combine(project, "tools"), error.Message);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }
}

public sealed class WriteRiskTests : IDisposable
{
    private readonly string repo = Directory.CreateTempSubdirectory("nono-risk-").FullName;

    public WriteRiskTests()
    {
        Directory.CreateDirectory(Path.Combine(repo, ".git", "hooks"));
        Directory.CreateDirectory(Path.Combine(repo, "obj"));
        File.WriteAllText(Path.Combine(repo, "obj", "p.csproj.nuget.g.props"), "<Project />");
    }

    public void Dispose() => Directory.Delete(repo, recursive: true);

    [Theory]
    [InlineData(".git", false)]
    [InlineData(".git/hooks", false)]
    [InlineData(".git/config", false)]
    [InlineData(".git/index.lock", false)]
    [InlineData("", false)]          // holds the repository
    [InlineData("obj", false)]       // MSBuild imports obj/*.props
    [InlineData("obj/evil.props", true)]
    public void GitAndObj_AreRefused(string relative, bool file) =>
        Assert.NotNull(PolicyItems.WriteRisk(Path.TrimEndingDirectorySeparator(Path.Combine(repo, relative)), file));

    [Theory]
    [InlineData(".git/gitversion_cache", false)]
    [InlineData("obj/gitversion.json", true)]
    [InlineData("obj/Debug/net10.0/gen", false)]
    [InlineData("web", false)]
    public void AToolsOwnFolderOrFile_IsAllowed(string relative, bool file) =>
        Assert.Null(PolicyItems.WriteRisk(Path.Combine(repo, relative), file));
}
