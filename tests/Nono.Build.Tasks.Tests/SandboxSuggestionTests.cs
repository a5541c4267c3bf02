namespace Nono.Build.Tasks.Tests;

public sealed class SandboxSuggestionTests
{
    private const string Home = "/home/u";

    private static SandboxDenial Denial(SandboxOperation op, string target, string? destination = null) =>
        new(op, op.ToString().ToLowerInvariant(), target, destination, 42, "/usr/bin/tool", "EACCES");

    private static string[] Xml(params SandboxDenial[] denials) =>
        SandboxSuggestion.Fold(denials, Home).Select(s => s.Xml).ToArray();

    [Theory]
    [InlineData(SandboxOperation.Read, "/home/u/.config/tool/settings.json", "<SandboxRead Include=\"$(HOME)/.config/tool\" />")]
    [InlineData(SandboxOperation.Read, "/home/u/.npmrc", "<SandboxRead Include=\"$(HOME)/.npmrc\" />")] // never the home folder itself
    [InlineData(SandboxOperation.Read, "/etc/tool.conf", "<SandboxRead Include=\"/etc/tool.conf\" />")] // never a top-level folder
    [InlineData(SandboxOperation.Read, "/data", "<SandboxRead Include=\"/data\" />")] // never /
    [InlineData(SandboxOperation.Execute, "/opt/tool/bin/tool", "<SandboxRead Include=\"/opt/tool/bin\" Execute=\"true\" />")]
    [InlineData(SandboxOperation.Create, "/var/cache/tool/entry", "<SandboxWrite Include=\"/var/cache/tool\" />")]
    [InlineData(SandboxOperation.Truncate, "/srv/out/log.txt", "<SandboxWrite Include=\"/srv/out\" />")]
    [InlineData(SandboxOperation.Connect, "127.0.0.1:8080", "<SandboxNetwork Include=\"8080\" />")]
    [InlineData(SandboxOperation.Connect, "[::1]:443", "<SandboxNetwork Include=\"443\" />")]
    [InlineData(SandboxOperation.Socket, "AF_INET SOCK_DGRAM", "<SandboxNetwork Include=\"all\" />")]
    [InlineData(SandboxOperation.Bind, "0.0.0.0:5000", "<SandboxNetwork Include=\"all\" />")]
    public void EachDenial_GetsTheNarrowestItemThatAllowsIt(SandboxOperation op, string target, string expected) =>
        Assert.Equal([expected], Xml(Denial(op, target)));

    [Fact]
    public void WhatNoItemAllows_IsSaidPlainly()
    {
        var unix = SandboxSuggestion.For(Denial(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM"), Home).Single();
        Assert.Null(unix.Include);
        Assert.Equal("(no Sandbox* item allows this yet)", unix.Xml);
        Assert.Empty(Xml(Denial(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM")));
    }

    [Fact]
    public void Folding_MergesOneFolder_AndDropsWhatAFolderAboveGives()
    {
        Assert.Equal(
            ["<SandboxRead Include=\"/opt/tool/bin\" Execute=\"true\" />", "<SandboxWrite Include=\"/srv/cache\" />"],
            Xml(
                Denial(SandboxOperation.Read, "/opt/tool/bin/a.txt"),
                Denial(SandboxOperation.Execute, "/opt/tool/bin/tool"),
                Denial(SandboxOperation.Create, "/srv/cache/x"),
                Denial(SandboxOperation.Read, "/srv/cache/sub/y"),
                Denial(SandboxOperation.Read, "/opt/tool/bin/b.txt")));
    }

    [Fact]
    public void ARename_NeedsBothFolders_AndAllNetworkCoversAPort()
    {
        Assert.Equal(["<SandboxWrite Include=\"/srv/a\" />", "<SandboxWrite Include=\"/srv/b\" />"],
            Xml(Denial(SandboxOperation.Rename, "/srv/a/f", "/srv/b/f")));
        Assert.Equal(["<SandboxNetwork Include=\"all\" />"],
            Xml(Denial(SandboxOperation.Connect, "10.0.0.1:80"), Denial(SandboxOperation.Socket, "AF_INET SOCK_DGRAM")));
    }

    [Fact]
    public void PathsAreEscapedForXmlAndMSBuild() =>
        Assert.Equal(["<SandboxRead Include=\"/srv/a&amp;b%3Bc%24d\" />"], Xml(Denial(SandboxOperation.Read, "/srv/a&b;c$d/f")));
}
