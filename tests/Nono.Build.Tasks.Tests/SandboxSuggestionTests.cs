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
    [InlineData(SandboxOperation.Read, "/home/u/.bashrc", "<SandboxRead Include=\"$(HOME)/.bashrc\" />")] // never the home folder itself
    [InlineData(SandboxOperation.Read, "/etc/tool.conf", "<SandboxRead Include=\"/etc/tool.conf\" />")] // never a top-level folder
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
    public void GitsOwnFiles_AreAllowedByNoItem_AndTheTextSaysWhyOnce()
    {
        // A version tool's git refreshing its index: the lock file renamed over the index.
        var rename = new SandboxDenial(SandboxOperation.Rename, "rename", "/r/.git/index.lock", "/r/.git/index", 7, "/usr/bin/git", "EACCES");

        var (items, noneMay) = SandboxSuggestion.Text(rename, Home);

        Assert.True(noneMay);
        Assert.Equal("no item allows it: git runs what '/r/.git' holds outside any sandbox, so no item lets the build write git's own files (a git that only refreshes its index, as version tools' does, goes on without it)", items);
        Assert.False(SandboxSuggestion.Text(Denial(SandboxOperation.Connect, "127.0.0.1:8080"), Home).NoneMay);
    }

    [Fact]
    public void WhatNoItemAllows_IsSaidPlainly()
    {
        var unix = SandboxSuggestion.For(Denial(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM"), Home).Single();
        Assert.Null(unix.Include);
        Assert.Equal("(no Sandbox* item allows this yet)", unix.Xml);
        Assert.Empty(Xml(Denial(SandboxOperation.Socket, "AF_UNIX SOCK_STREAM")));
        // A Unix socket outside the whole build's processes (dotnet nono's supervisor refused it), by path or abstract name.
        foreach (var socket in new[] { "/var/run/docker.sock", "@/tmp/.X11-unix/X0" })
        {
            var connect = Denial(SandboxOperation.Connect, socket);
            Assert.Null(SandboxSuggestion.For(connect, Home).Single().Include);
            Assert.Equal($"a connection to the Unix socket '{socket}'", DenialReport.Describe(connect));
        }
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

    [Theory]
    [InlineData("/data")]                          // a top-level folder
    [InlineData("/")]
    [InlineData("/home/u")]                        // home itself
    [InlineData("/proc/4711/task/4712/comm")]      // a process's own files: a pid
    [InlineData("/proc/self/attr/current")]
    public void NeverTooWide_NeverAProcess(string target) =>
        Assert.Empty(Xml(Denial(SandboxOperation.Write, target)));

    [Theory]
    [InlineData(SandboxOperation.Create, "/home/u/.cache/gitversion/3f2a9c1e0b7d4e5f6a8b/entry.json", "<SandboxWrite Include=\"$(HOME)/.cache/gitversion\" />")]
    [InlineData(SandboxOperation.Create, "/home/u/.npm/_cacache/content-v2/sha512/ab/cd/ef0123", "<SandboxWrite Include=\"$(HOME)/.npm\" />")]
    [InlineData(SandboxOperation.Read, "/home/u/.local/share/tool/1.2.3/data.bin", "<SandboxRead Include=\"$(HOME)/.local/share/tool\" />")]
    [InlineData(SandboxOperation.Create, "/srv/cache/tool/6.8.2/x", "<SandboxWrite Include=\"/srv/cache/tool\" />")]
    [InlineData(SandboxOperation.Create, "/srv/cache/tool/0123456789abcdef0123/x", "<SandboxWrite Include=\"/srv/cache/tool\" />")]
    [InlineData(SandboxOperation.Create, "/srv/run/4711/lock", "<SandboxWrite Include=\"/srv/run\" />")]
    [InlineData(SandboxOperation.Read, "/home/u/.dotnet/toolResolverCache/1/minver-cli", "<SandboxRead Include=\"$(HOME)/.dotnet/toolResolverCache\" />")] // ~/.dotnet holds the certificate store
    public void VersionHashAndPidFolders_FoldToTheToolsRoot(SandboxOperation op, string target, string expected) =>
        Assert.Equal([expected], Xml(Denial(op, target)));

    [Theory]
    [InlineData("/home/u/.ssh/id_rsa", "/home/u/.ssh")]
    [InlineData("/home/u/.aws/credentials", "/home/u/.aws")]
    [InlineData("/home/u/.gnupg/pubring.kbx", "/home/u/.gnupg")]
    [InlineData("/home/u/.npmrc", "/home/u/.npmrc")]
    [InlineData("/home/u/.nuget/NuGet/NuGet.Config", "/home/u/.nuget/NuGet")]
    public void ASecretsFolder_IsNeverSuggested_ButNamed(string target, string secret)
    {
        Assert.Empty(Xml(Denial(SandboxOperation.Read, target)));
        var s = Assert.Single(SandboxSuggestion.For(Denial(SandboxOperation.Read, target), Home));
        Assert.Equal(secret, s.Secret);
        Assert.Contains("holds secrets", s.Xml);
    }

    [Fact]
    public void TheSuggestedPropsFile_ImportsCleanly_ReadOnlyWhereTheFolderExists()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("nono-suggested-").FullName, "sandbox.suggested.props");
        SuggestedProps.Write(file, SandboxSuggestion.Fold([
            Denial(SandboxOperation.Read, "/home/u/.config/tool/a.json"),
            Denial(SandboxOperation.Create, "/home/u/.cache/tool/abc/x"),
            Denial(SandboxOperation.Connect, "1.2.3.4:443"),
            Denial(SandboxOperation.Write, "/proc/1/task/2/comm"),
            Denial(SandboxOperation.Read, "/home/u/.ssh/id_rsa")], Home));
        var text = File.ReadAllText(file);
        Assert.Contains("<SandboxRead Include=\"$(HOME)/.config/tool\" Condition=\"Exists('$(HOME)/.config/tool')\" />", text);
        Assert.Contains("<SandboxWrite Include=\"$(HOME)/.cache/tool\" />", text);
        Assert.Contains("<SandboxNetwork Include=\"443\" />", text);
        Assert.DoesNotContain("/proc", text);
        Assert.DoesNotContain(".ssh", text);
        Assert.DoesNotContain("*", text.Replace("<!--", "").Replace("-->", ""));
        System.Xml.Linq.XDocument.Parse(text);
    }
}
