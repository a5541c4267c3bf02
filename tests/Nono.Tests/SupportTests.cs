using System.Diagnostics;
using Nono.Platform;

namespace Nono.Tests;

public class SupportTests
{
    [Fact]
    public void Support_ReportsTheKernel()
    {
        Landlock.Require();
        var info = Sandbox.Support;
        Assert.True(info.IsSupported);
        Assert.Equal("linux", info.Platform);
        Assert.InRange(info.LandlockAbi, 1, 7);
        Assert.True(info.Features.HasFlag(SandboxFeatures.FileSystem));
        Assert.Equal(info.LandlockAbi >= 4, info.Features.HasFlag(SandboxFeatures.TcpPorts));
        Assert.Null(info.Reason);
    }

    [Fact]
    public void UnsupportedPlatform_ThrowsFromEveryEnforcingCall()
    {
        var backend = new UnsupportedSandbox();
        Assert.False(backend.Support.IsSupported);
        Assert.NotNull(backend.Support.Reason);
        Assert.Equal(NonoErrorKind.UnsupportedPlatform, Assert.Throws<NonoException>(() => backend.Apply(new CapabilitySet())).Kind);
        Assert.Equal(NonoErrorKind.UnsupportedPlatform,
            Assert.Throws<NonoException>(() => backend.Wrap(new CapabilitySet(), [], new ProcessStartInfo("/bin/true"))).Kind);
    }

    [Fact]
    public void Apply_WithNothingGranted_IsNoCapabilities()
    {
        Assert.Equal(NonoErrorKind.NoCapabilities, Assert.Throws<NonoException>(() => Sandbox.Apply(new CapabilitySet())).Kind);
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => Sandbox.Apply(null!)).Kind);
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("\"a b\" c", new[] { "a b", "c" })]
    [InlineData("a\\\"b", new[] { "a\"b" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("a\\\\b", new[] { "a\\\\b" })]
    [InlineData("\"a\\\\\" b", new[] { "a\\", "b" })]
    [InlineData("a \"b\"\"c\" d", new[] { "a", "b\"c", "d" })]
    [InlineData("\"x\"\"\"", new[] { "x\"" })]
    public void ArgumentsStrings_SplitAsDotNetDoes(string arguments, string[] expected) =>
        Assert.Equal(expected, CommandLine.Split(arguments));
}
