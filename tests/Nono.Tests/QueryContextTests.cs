namespace Nono.Tests;

public class QueryContextTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Answers_DoNotDependOnGrantOrder()
    {
        var parent = temp.Dir("p");
        var child = temp.Dir("p/c");
        var target = Path.Combine(child, "file");

        var readFirst = new CapabilitySet().AllowPath(parent, AccessMode.ReadWrite).AllowPath(child, AccessMode.Read);
        var readLast = new CapabilitySet().AllowPath(child, AccessMode.Read).AllowPath(parent, AccessMode.ReadWrite);

        foreach (var caps in new[] { readFirst, readLast })
        {
            var r = new QueryContext(caps).QueryPath(target, AccessMode.Write);
            Assert.Equal(QueryStatus.Allowed, r.Status);
            Assert.Equal(QueryReason.GrantedPath, r.Reason);
            Assert.Equal(child, r.GrantedPath);
            Assert.Equal(AccessMode.ReadWrite, r.GrantedAccess);
            Assert.Equal(AccessMode.Write, r.RequestedAccess);
        }
    }

    [Fact]
    public void Rights_OfCoveringGrants_AreUnited()
    {
        var parent = temp.Dir("u");
        var child = temp.Dir("u/c");
        var caps = new CapabilitySet().AllowPath(parent, AccessMode.Execute).AllowPath(child, AccessMode.Read);

        Assert.True(new QueryContext(caps).QueryPath(Path.Combine(child, "tool"), AccessMode.Read | AccessMode.Execute).IsAllowed);
    }

    [Fact]
    public void Denials_SayWhy()
    {
        var dir = temp.Dir("d");
        var qc = new QueryContext(new CapabilitySet().AllowPath(dir, AccessMode.Read));

        var insufficient = qc.QueryPath(Path.Combine(dir, "x"), AccessMode.Write);
        Assert.Equal((QueryStatus.Denied, QueryReason.InsufficientAccess, dir, AccessMode.Read), (insufficient.Status, insufficient.Reason, insufficient.GrantedPath, insufficient.GrantedAccess));

        var notGranted = qc.QueryPath(temp.Combine("elsewhere"), AccessMode.Read);
        Assert.Equal((QueryStatus.Denied, QueryReason.PathNotGranted, (string?)null), (notGranted.Status, notGranted.Reason, notGranted.GrantedPath));
    }

    [Fact]
    public void QueriesSeeThroughSymlinks()
    {
        var real = temp.Dir("r");
        var link = temp.Combine("l");
        Directory.CreateSymbolicLink(link, real);
        var qc = new QueryContext(new CapabilitySet().AllowPath(real, AccessMode.Read));

        Assert.True(qc.QueryPath(Path.Combine(link, "f"), AccessMode.Read).IsAllowed);
    }

    [Fact]
    public void IsASnapshot()
    {
        var dir = temp.Dir("s");
        var caps = new CapabilitySet();
        var qc = new QueryContext(caps);
        caps.AllowPath(dir, AccessMode.Read).SetNetworkMode(NetworkMode.AllowAll);

        Assert.False(qc.QueryPath(dir, AccessMode.Read).IsAllowed);
        Assert.False(qc.QueryNetwork().IsAllowed);
    }

    [Fact]
    public void Network()
    {
        var blocked = new QueryContext(new CapabilitySet().AllowTcpConnect(443).AllowTcpBind(8080));
        Assert.Equal((QueryStatus.Denied, QueryReason.NetworkBlocked), (blocked.QueryNetwork().Status, blocked.QueryNetwork().Reason));
        Assert.Equal(QueryReason.NetworkAllowed, blocked.QueryTcpConnect(443).Reason);
        Assert.Equal(QueryReason.NetworkBlocked, blocked.QueryTcpConnect(80).Reason);
        Assert.True(blocked.QueryTcpBind(8080).IsAllowed);
        Assert.False(blocked.QueryTcpBind(443).IsAllowed);

        var open = new QueryContext(new CapabilitySet().SetNetworkMode(NetworkMode.AllowAll));
        Assert.Equal(QueryReason.NetworkAllowed, open.QueryNetwork().Reason);
        Assert.True(open.QueryTcpConnect(80).IsAllowed);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => open.QueryTcpConnect(0)).Kind);
    }

    [Fact]
    public void RelativeOrBadInput_IsInvalidArgument()
    {
        var qc = new QueryContext(new CapabilitySet());
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => qc.QueryPath("relative", AccessMode.Read)).Kind);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => qc.QueryPath("/x", AccessMode.None)).Kind);
    }
}
