namespace Nono.Launcher.Tests;

/// <summary>--ruleset-fd: a ruleset built once by libnono's nono_ruleset, inherited by nono-exec.</summary>
public sealed class RulesetFdTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly string LibNono = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Launcher.Path)!, "libnono.so");

    /// <summary>
    /// python3 builds the ruleset from RULESET_OPTIONS with libnono, then execs nono-exec
    /// --ruleset-fd FD LAUNCHER_OPTIONS -- COMMAND (python3 itself is not sandboxed).
    /// </summary>
    private const string Prepare = """
        import ctypes, os, sys
        lib, launcher, rest = ctypes.CDLL(sys.argv[1]), sys.argv[2], sys.argv[3:]
        split = rest.index("---")
        options, launch = rest[:split], rest[split + 1:]
        argv = (ctypes.c_char_p * len(options))(*[o.encode() for o in options])
        err = ctypes.create_string_buffer(1024)
        fd = lib.nono_ruleset(len(options), argv, err, len(err))
        if fd < 0:
            print("nono_ruleset:", err.value.decode(), file=sys.stderr)
            sys.exit(3)
        os.set_inheritable(fd, True)
        os.execv(launcher, [launcher, "--ruleset-fd", str(fd), *launch])
        """;

    private static Launcher.Result Run(string[] rulesetOptions, string[] launch) =>
        Launcher.RunProcess(Launcher.PythonPath, ["-c", Prepare, LibNono, Launcher.Path, .. rulesetOptions, "---", .. launch]);

    [Fact]
    public void TheInheritedRuleset_IsEnforced_AndNoPathIsOpenedAgain()
    {
        Landlock.Require();
        var granted = temp.Dir("granted");
        var other = temp.Dir("other");
        // The path options given with --ruleset-fd only describe the ruleset: a path that is gone
        // by now is not opened, so it is no error.
        var r = Run([.. Launcher.System, "--ro", "/proc", "--rw", granted],
            ["--rw", temp["gone"], "--", "/bin/sh", "-c",
             "echo ok > \"$1/f\" && cat \"$1/f\"; echo no > \"$2/f\" || echo denied; ls /proc/self/fd | wc -l",
             "sh", granted, other]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\ndenied\n4\n", r.StdOut); // ls sees 0-2 and its own directory fd: the ruleset fd was closed
        Assert.False(File.Exists(System.IO.Path.Combine(other, "f")));
    }

    [Fact]
    public void ADescriptorThatIsNotARuleset_Is125()
    {
        var r = Launcher.Run("--ruleset-fd", "0", "--", "/bin/true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("nono-exec: error: not an inherited Landlock ruleset descriptor: --ruleset-fd\n", r.StdErr);

        r = Launcher.Run("--ruleset-fd", "x1", "--", "/bin/true");
        Assert.Equal((125, "nono-exec: error: invalid descriptor number: --ruleset-fd x1\n"), (r.ExitCode, r.StdErr));
    }

    [Fact]
    public void NonoRuleset_RefusesBadOptions_WithTheLauncherMessage()
    {
        Landlock.Require();
        var r = Run(["--ro", temp["missing"]], ["--", "/bin/true"]);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal($"nono_ruleset: path not found: {temp["missing"]}\n", r.StdErr);
    }
}
