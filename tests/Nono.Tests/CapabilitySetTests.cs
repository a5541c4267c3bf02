namespace Nono.Tests;

public class CapabilitySetTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void AllowPath_GrantsADirectory_AllowFile_OneFile()
    {
        var dir = temp.Dir("out");
        var file = temp.File("hosts");
        var caps = new CapabilitySet()
            .AllowPath(dir, AccessMode.ReadWrite)
            .AllowFile(file, AccessMode.Read);

        Assert.Collection(caps.FileSystem,
            c => Assert.Equal(new FsCapability(dir, dir, AccessMode.ReadWrite, false, CapabilitySource.User), c),
            c => Assert.Equal(new FsCapability(file, file, AccessMode.Read, true, CapabilitySource.User), c));
    }

    [Fact]
    public void Symlinks_AreResolvedAtGrantTime_AndBothPathsKept()
    {
        var real = temp.Dir("real");
        var link = temp.Combine("link");
        Directory.CreateSymbolicLink(link, real);

        var grant = Assert.Single(new CapabilitySet().AllowPath(link, AccessMode.Read).FileSystem);

        Assert.Equal(link, grant.OriginalPath);
        Assert.Equal(real, grant.ResolvedPath);
    }

    [Fact]
    public void RelativePaths_ResolveAgainstTheWorkingDirectory()
    {
        var grant = Assert.Single(new CapabilitySet().AllowPath(".", AccessMode.Read).FileSystem);
        Assert.Equal(".", grant.OriginalPath);
        Assert.Equal(PathResolverTests.RealPath(Environment.CurrentDirectory), grant.ResolvedPath);
    }

    [Fact]
    public void Errors_HaveTheirKindAndPath()
    {
        var caps = new CapabilitySet();
        var missing = temp.Combine("missing");
        var e = Assert.Throws<NonoException>(() => caps.AllowPath(missing, AccessMode.Read));
        Assert.Equal(NonoErrorKind.PathNotFound, e.Kind);
        Assert.Equal(missing, e.Path);

        Assert.Equal(NonoErrorKind.ExpectedDirectory, Assert.Throws<NonoException>(() => caps.AllowPath(temp.File("f"), AccessMode.Read)).Kind);
        Assert.Equal(NonoErrorKind.ExpectedFile, Assert.Throws<NonoException>(() => caps.AllowFile(temp.Path, AccessMode.Read)).Kind);

        var loop = temp.Combine("loop");
        File.CreateSymbolicLink(loop, loop);
        Assert.Equal(NonoErrorKind.PathCanonicalization, Assert.Throws<NonoException>(() => caps.AllowPath(loop, AccessMode.Read)).Kind);
        Assert.Empty(caps.FileSystem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/tmp\0/x")]
    public void BadPaths_AreInvalidArguments(string? path)
    {
        var e = Assert.Throws<NonoException>(() => new CapabilitySet().AllowPath(path!, AccessMode.Read));
        Assert.Equal(NonoErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData(AccessMode.None)]
    [InlineData((AccessMode)16)]
    public void BadAccess_IsInvalidArgument(AccessMode access) =>
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => new CapabilitySet().AllowPath("/", access)).Kind);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void BadPorts_AreInvalidArguments(int port)
    {
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => new CapabilitySet().AllowTcpConnect(port)).Kind);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => new CapabilitySet().AllowTcpBind(port)).Kind);
    }

    [Fact]
    public void Network_DefaultsToBlocked_AndRecordsPortsAndUnixSockets()
    {
        var caps = new CapabilitySet();
        Assert.Equal(NetworkMode.Blocked, caps.NetworkMode);
        Assert.False(caps.UnixSocketsAllowed);

        caps.AllowTcpConnect(443).AllowTcpConnect(443).AllowTcpBind(8080).AllowUnixSockets().SetNetworkMode(NetworkMode.ProxyOnly);

        Assert.Equal([443], caps.TcpConnectPorts);
        Assert.Equal([8080], caps.TcpBindPorts);
        Assert.True(caps.UnixSocketsAllowed);
        Assert.Equal(NetworkMode.ProxyOnly, caps.NetworkMode);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => caps.SetNetworkMode((NetworkMode)42)).Kind);
    }

    [Fact]
    public void PathCovered_FollowsDirectoryAndFileGrants()
    {
        var dir = temp.Dir("tree");
        var file = temp.File("single");
        var sibling = temp.File("sibling");
        var caps = new CapabilitySet().AllowPath(dir, AccessMode.Read).AllowFile(file, AccessMode.Read);

        Assert.True(caps.PathCovered(dir));
        Assert.True(caps.PathCovered(Path.Combine(dir, "not", "yet", "created")));
        Assert.True(caps.PathCovered(file));
        Assert.False(caps.PathCovered(sibling));
        Assert.False(caps.PathCovered(dir + "-other"));
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => caps.PathCovered("relative/path")).Kind);
    }

    [Fact]
    public void Deduplicate_MergesSamePaths_AndDropsGrantsAParentGives()
    {
        var parent = temp.Dir("p");
        var child = temp.Dir("p/c");
        var wider = temp.Dir("p/w");
        var caps = new CapabilitySet()
            .AllowPath(parent, AccessMode.Read)
            .AllowPath(parent, AccessMode.Execute)
            .AllowPath(child, AccessMode.Read)
            .AllowPath(wider, AccessMode.ReadWrite);

        caps.Deduplicate();

        Assert.Collection(caps.FileSystem,
            c => Assert.Equal((parent, AccessMode.Read | AccessMode.Execute), (c.ResolvedPath, c.Access)),
            c => Assert.Equal((wider, AccessMode.ReadWrite), (c.ResolvedPath, c.Access)));
    }

    [Fact]
    public void Summary_ListsEveryGrantAndTheNetwork()
    {
        var dir = temp.Dir("s");
        var summary = new CapabilitySet().AllowPath(dir, AccessMode.ReadWrite | AccessMode.Execute).AllowTcpConnect(443).Summary();

        Assert.Contains($"rwx {dir}", summary);
        Assert.Contains("network: blocked", summary);
        Assert.Contains("tcp connect: 443", summary);
        Assert.Contains("unix sockets: blocked", summary);
    }

    [Fact]
    public void ToLauncherArguments_MapsEveryAccessCombination()
    {
        var dir = temp.Dir("l");
        var file = temp.File("lf");
        var caps = new CapabilitySet()
            .AllowPath(dir, AccessMode.Read)
            .AllowPath(dir, AccessMode.Read | AccessMode.Execute)
            .AllowPath(dir, AccessMode.ReadWrite)
            .AllowPath(dir, AccessMode.ReadWrite | AccessMode.Execute)
            .AllowPath(dir, AccessMode.Write)
            .AllowPath(dir, AccessMode.Execute)
            .AllowPath(dir, AccessMode.Write | AccessMode.Execute)
            .AllowPath(dir, AccessMode.ReadWrite | AccessMode.CreateSymlink)
            .AllowPath(dir, AccessMode.CreateSymlink)
            .AllowFile(file, AccessMode.Read)
            .AllowTcpConnect(443).AllowTcpBind(8080).AllowUnixSockets();

        Assert.Equal(
            ["--ro", dir, "--rox", dir, "--rw", dir, "--rwx", dir, "--wo", dir, "--xo", dir, "--wx", dir,
             "--rw", dir, "--symlinks", dir, "--symlinks", dir, "--ro", file,
             "--connect-tcp", "443", "--bind-tcp", "8080", "--allow-unix"],
            caps.ToLauncherArguments());
        Assert.Equal(["--net", "all"], new CapabilitySet().SetNetworkMode(NetworkMode.AllowAll).ToLauncherArguments());
    }

    [Fact]
    public void NonoException_CarriesEveryKind()
    {
        foreach (var kind in Enum.GetValues<NonoErrorKind>())
        {
            var e = new NonoException(kind, "what", "/the/path");
            Assert.Equal(kind, e.Kind);
            Assert.Equal("what: /the/path", e.Message);
        }
        // nono's 14 kinds, and NestedSandbox (macOS: Seatbelt refuses a sandbox inside another).
        Assert.Equal(15, Enum.GetValues<NonoErrorKind>().Length);
        Assert.Equal(14, (int)NonoErrorKind.NestedSandbox);
    }
}
