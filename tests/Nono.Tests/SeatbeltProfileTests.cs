namespace Nono.Tests;

/// <summary>
/// The Seatbelt profile generator is pure text, so these run on every OS. What the kernel does with
/// the profile is tested on macOS only (MacOS/SeatbeltEnforcementTests.cs, .github/workflows/macos.yml).
/// </summary>
public class SeatbeltProfileTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A grant as macOS would hold it, without touching this machine's filesystem.</summary>
    private static CapabilitySet With(string path, AccessMode access, bool isFile = false)
    {
        var caps = new CapabilitySet();
        caps.AddResolved(new FsCapability(path, path, access, isFile, CapabilitySource.User));
        return caps;
    }

    [Fact]
    public void AProfile_DeniesEverythingByDefault_AndStartsWithTheVersion()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet());

        Assert.StartsWith("(version 1)\n(deny default)\n", profile);
        Assert.DoesNotContain("(allow default)", profile);
    }

    [Fact]
    public void ADirectoryGrant_IsASubpath_ForEachRightGranted()
    {
        var profile = SeatbeltProfile.Generate(With("/Users/me/src", AccessMode.Read | AccessMode.Execute));

        Assert.Contains("(allow file-read* (subpath \"/Users/me/src\"))\n", profile);
        Assert.Contains("(allow process-exec (subpath \"/Users/me/src\"))\n", profile);
        Assert.Contains("(allow file-map-executable (subpath \"/Users/me/src\"))\n", profile);
        Assert.DoesNotContain("(allow file-write* (subpath \"/Users/me/src\"))", profile);
    }

    [Fact]
    public void AFileGrant_IsALiteral()
    {
        var profile = SeatbeltProfile.Generate(With("/Users/me/.gitconfig", AccessMode.Read, isFile: true));

        Assert.Contains("(allow file-read* (literal \"/Users/me/.gitconfig\"))\n", profile);
        Assert.DoesNotContain("(subpath \"/Users/me/.gitconfig\")", profile);
        Assert.DoesNotContain("(allow process-exec (literal \"/Users/me/.gitconfig\"))", profile);
    }

    [Fact]
    public void AWriteGrant_AllowsWriting_ButNotCreatingSymlinksFifosOrSockets()
    {
        var profile = SeatbeltProfile.Generate(With("/Users/me/src/obj", AccessMode.ReadWrite));

        Assert.Contains("(allow file-write* (subpath \"/Users/me/src/obj\"))\n", profile);
        Assert.Contains("(deny file-write-create (require-all (require-any (vnode-type SYMLINK) (vnode-type FIFO) (vnode-type SOCKET)) (require-any (subpath \"/Users/me/src/obj\"))))\n", profile);
        Assert.DoesNotContain("(allow file-write-create", profile);
    }

    [Fact]
    public void ACreateSymlinkGrant_AllowsSpecialFiles_AfterTheWriteGrantsDenyThem()
    {
        var caps = With("/Users/me/src/obj", AccessMode.ReadWrite);
        caps.AddResolved(new FsCapability("/private/tmp/step", "/private/tmp/step", AccessMode.ReadWrite | AccessMode.CreateSymlink, false, CapabilitySource.System));

        var profile = SeatbeltProfile.Generate(caps);

        var deny = profile.IndexOf("(deny file-write-create", StringComparison.Ordinal);
        var allow = profile.IndexOf("(allow file-write-create (require-all (require-any (vnode-type SYMLINK) (vnode-type FIFO) (vnode-type SOCKET)) (require-any (subpath \"/private/tmp/step\"))))", StringComparison.Ordinal);
        Assert.True(deny >= 0 && allow > deny, profile);
        Assert.DoesNotContain("(subpath \"/private/tmp/step\"))))\n(deny", profile);
    }

    [Theory]
    [InlineData("/tmp/build", "/private/tmp/build")]
    [InlineData("/tmp", "/private/tmp")]
    [InlineData("/var/folders/xy/T", "/private/var/folders/xy/T")]
    [InlineData("/etc/hosts", "/private/etc/hosts")]
    [InlineData("/private/tmp/x", "/private/tmp/x")]
    [InlineData("/tmpfoo", "/tmpfoo")]
    [InlineData("/variable", "/variable")]
    [InlineData("/Users/me/tmp", "/Users/me/tmp")]
    public void Paths_AreWrittenCanonical(string path, string expected) =>
        Assert.Equal(expected, SeatbeltProfile.Canonical(path));

    [Fact]
    public void AGrantUnderTmp_IsEnforcedAtItsPrivatePath()
    {
        var dir = temp.Dir("out");
        var caps = new CapabilitySet().AllowPath(dir, AccessMode.ReadWrite);

        var profile = SeatbeltProfile.Generate(caps);

        var expected = SeatbeltProfile.Canonical(caps.FileSystem[0].ResolvedPath);
        Assert.Contains($"(allow file-write* (subpath \"{expected}\"))", profile);
        if (expected.StartsWith("/tmp/", StringComparison.Ordinal))
            Assert.Fail("a /tmp path was left as it is");
        Assert.DoesNotContain("(subpath \"/tmp/", profile);
    }

    [Theory]
    [InlineData("/Users/me/a \"quoted\" dir", "\"/Users/me/a \\\"quoted\\\" dir\"")]
    [InlineData("/Users/me/back\\slash", "\"/Users/me/back\\\\slash\"")]
    [InlineData("/Users/me/\\\"", "\"/Users/me/\\\\\\\"\"")]
    [InlineData("/Users/me/plain", "\"/Users/me/plain\"")]
    public void QuotesAndBackslashes_AreEscaped(string path, string literal)
    {
        Assert.Equal(literal, SeatbeltProfile.Quote(path));
        Assert.Contains($"(allow file-read* (subpath {literal}))", SeatbeltProfile.Generate(With(path, AccessMode.Read)));
    }

    [Fact]
    public void AnEscapedPath_CannotCloseTheRuleAndAddItsOwn()
    {
        var profile = SeatbeltProfile.Generate(With("/x\"))(allow default)(\"", AccessMode.Read));

        AssertBalanced(profile);
        Assert.Contains("(subpath \"/x\\\"))(allow default)(\\\"\")", profile);
    }

    [Fact]
    public void WhatAProcessNeedsToStart_IsReadable()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet());

        foreach (var path in new[] { "/usr/lib", "/System/Library", "/private/var/db/dyld", "/System/Volumes/Preboot/Cryptexes" })
            Assert.Contains($"  (subpath \"{path}\")\n", profile);
        foreach (var device in new[] { "/dev/null", "/dev/urandom" })
            Assert.Contains($"  (literal \"{device}\")\n", profile);
        Assert.Contains("(allow file-write-data\n  (literal \"/dev/null\")\n", profile);
        Assert.Contains("(allow process-fork)\n", profile);
        Assert.Contains("(allow file-read-metadata)\n", profile);
        // Nothing outside the grants is executable: the system grants carry no process-exec.
        Assert.DoesNotContain("(allow process-exec\n", profile);
        Assert.DoesNotContain("(allow process-exec)", profile);
    }

    [Fact]
    public void OnlyTheListedMachServices_CanBeLookedUp()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet());

        Assert.Contains("(allow mach-lookup\n  (global-name \"com.apple.system.logger\")\n", profile);
        Assert.Contains("  (global-name \"com.apple.system.opendirectoryd.libinfo\")\n", profile);
        Assert.DoesNotContain("(allow mach-lookup)", profile);
        Assert.DoesNotContain("global-name-regex", profile);
        Assert.DoesNotContain("com.apple.trustd.agent", profile);
    }

    [Theory]
    [InlineData(NetworkMode.Blocked)]
    [InlineData(NetworkMode.ProxyOnly)]
    [InlineData(NetworkMode.AllowAll)]
    public void TheKeychain_IsNeverLookedUp_AndDeniedAfterEveryAllow(NetworkMode mode)
    {
        var caps = With("/Users/me", AccessMode.ReadWrite | AccessMode.Execute | AccessMode.CreateSymlink).SetNetworkMode(mode).AllowUnixSockets();

        var profile = SeatbeltProfile.Generate(caps);

        var allowLookup = profile.Substring(profile.IndexOf("(allow mach-lookup", StringComparison.Ordinal));
        allowLookup = allowLookup[..(allowLookup.IndexOf(")\n", StringComparison.Ordinal) + 2)];
        var deny = profile.IndexOf("(deny mach-lookup", StringComparison.Ordinal);
        Assert.True(deny > profile.LastIndexOf("(allow ", StringComparison.Ordinal), "the keychain's deny must come after every allow");
        foreach (var service in SeatbeltProfile.KeychainServices)
        {
            Assert.DoesNotContain(service, allowLookup);
            Assert.Contains($"  (global-name \"{service}\")", profile[deny..]);
        }
        Assert.Contains("com.apple.SecurityServer", SeatbeltProfile.KeychainServices);
        Assert.Contains("com.apple.securityd", SeatbeltProfile.KeychainServices);
    }

    [Fact]
    public void NetworkBlocked_AllowsNoNetwork()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet().SetNetworkMode(NetworkMode.Blocked));

        Assert.DoesNotContain("(allow network", profile);
        Assert.DoesNotContain("(remote ", profile);
        Assert.DoesNotContain("com.apple.SystemConfiguration", profile);
    }

    [Fact]
    public void NetworkBlocked_WithPortsAllowed_AllowsThosePortsOnly_AsLandlockDoes()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet().AllowTcpConnect(443).AllowTcpBind(8080));

        Assert.Contains("(allow network-outbound (remote tcp \"*:443\"))\n", profile);
        Assert.Contains("(allow network-bind (local tcp \"*:8080\"))\n", profile);
        Assert.DoesNotContain("(allow network*)", profile);
        Assert.DoesNotContain("unix-socket", profile);
    }

    [Fact]
    public void NetworkAllowAll_AllowsAllNetwork_AndNameResolution()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet().SetNetworkMode(NetworkMode.AllowAll).AllowTcpConnect(443));

        Assert.Contains("(allow network*)\n", profile);
        Assert.Contains("(global-name \"com.apple.SystemConfiguration.DNSConfiguration\")", profile);
        Assert.DoesNotContain("\"*:443\"", profile);
    }

    [Fact]
    public void NetworkProxyOnly_AllowsOnlyTheProxyPortOnLocalhost()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet().SetNetworkMode(NetworkMode.ProxyOnly).AllowTcpConnect(3128));

        var network = profile.Split('\n').Where(l => l.Contains("network", StringComparison.Ordinal) && !l.StartsWith(';')).ToList();
        Assert.Equal(["(allow network-outbound (remote tcp \"localhost:3128\"))"], network);
        Assert.DoesNotContain("com.apple.SystemConfiguration", profile);
        Assert.DoesNotContain("\"*:", profile);
    }

    [Fact]
    public void UnixSockets_AreReachableOnlyWhenAllowed()
    {
        Assert.DoesNotContain("(remote unix-socket)", SeatbeltProfile.Generate(new CapabilitySet()));

        var profile = SeatbeltProfile.Generate(new CapabilitySet().AllowUnixSockets());

        Assert.Contains("(allow network-outbound (remote unix-socket))\n", profile);
        Assert.Contains("(allow network-bind (local unix-socket))\n", profile);
    }

    [Fact]
    public void Parentheses_Balance_OutsideStrings()
    {
        var caps = With("/a\"(b", AccessMode.ReadWrite | AccessMode.Execute).SetNetworkMode(NetworkMode.ProxyOnly).AllowTcpConnect(1).AllowTcpBind(2).AllowUnixSockets();
        caps.AddResolved(new FsCapability("/c)\\", "/c)\\", AccessMode.CreateSymlink, true, CapabilitySource.User));

        AssertBalanced(SeatbeltProfile.Generate(caps));
    }

    /// <summary>Every string closes and every parenthesis outside strings and comments pairs up.</summary>
    private static void AssertBalanced(string text)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inString = false;
            }
            else if (c == ';')
                i = text.IndexOf('\n', i);
            else if (c == '"')
                inString = true;
            else if (c == '(')
                depth++;
            else if (c == ')')
                Assert.True(--depth >= 0, text);
        }
        Assert.False(inString);
        Assert.Equal(0, depth);
    }

    [Fact]
    public void Generate_OfNull_IsInvalidArgument() =>
        Assert.Equal(NonoErrorKind.InvalidArgument, Assert.Throws<NonoException>(() => SeatbeltProfile.Generate(null!)).Kind);
}

public class SandboxExecArgumentsTests
{
    [Fact]
    public void AProfile_GoesOnTheCommandLine_WithDashP()
    {
        var profile = SeatbeltProfile.Generate(new CapabilitySet());

        Assert.Equal(["-p", profile, "--"], Nono.Platform.MacSandbox.Arguments(profile, out var file));
        Assert.Null(file);
    }

    [Fact]
    public void AProfileTooLargeForACommandLine_GoesInAFile_WithDashF()
    {
        var profile = "(version 1)(deny default)" + new string(';', 200 * 1024);

        var args = Nono.Platform.MacSandbox.Arguments(profile, out var file);
        try
        {
            Assert.NotNull(file);
            Assert.Equal(["-f", file, "--"], args);
            Assert.Equal(profile, File.ReadAllText(file));
        }
        finally
        {
            if (file is not null)
                File.Delete(file);
        }
    }

    [Fact]
    public void TheLauncher_IsSandboxExecsAbsolutePath() =>
        Assert.Equal("/usr/bin/sandbox-exec", Nono.Platform.MacSandbox.SandboxExec);
}
