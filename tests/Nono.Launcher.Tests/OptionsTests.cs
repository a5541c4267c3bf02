using System.Text.Json;

namespace Nono.Launcher.Tests;

/// <summary>The command line: @FILE, large policies, errors on bad input, --probe.</summary>
public sealed class OptionsTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void OptionsFile_PathWithSpacesAndUnicode_CommentsBlankLinesCrlf()
    {
        Landlock.Require();
        var granted = temp.Dir("dir with spaces/ünï©ødé");
        var sibling = temp.Dir("dir with spaces/other");
        string[] lines =
        [
            "# nono-exec options: one per line",
            "",
            .. Launcher.System.Chunk(2).Select(pair => $"{pair[0]} {pair[1]}"),
            "# the value is the rest of the line, spaces and all",
            $"--rw {granted}",
            "",
            "--ro /usr",
            "",
        ];
        var options = temp.File("options with spaces.txt", string.Join("\r\n", lines));
        Assert.Contains("\r\n", File.ReadAllText(options));

        var r = Launcher.Run(["@" + options, "--", "/bin/sh", "-c",
            """
            echo written > "$1/file" && cat "$1/file"
            echo nope > "$2/file" && echo wrote-sibling
            true
            """, "sh", granted, sibling], null);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("written\n", r.StdOut);
        Assert.Contains("Permission denied", r.StdErr);
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(granted, "file")));
        Assert.False(File.Exists(Path.Combine(sibling, "file")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ThousandRulePolicy_Works(bool viaOptionsFile)
    {
        Landlock.Require();
        var root = temp.Dir("many");
        var rules = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, $"d{i:D4}")).FullName;
            if (i is 0 or 500 or 999)
                File.WriteAllText(Path.Combine(dir, "f"), $"{i}\n");
            rules.Add("--ro");
            rules.Add(dir);
        }
        var ungranted = temp.File("many/ungranted/f", "no\n");

        IEnumerable<string> policy = rules;
        if (viaOptionsFile)
        {
            var file = temp.File("policy.txt",
                string.Join('\n', rules.Chunk(2).Select(pair => $"{pair[0]} {pair[1]}")) + "\n");
            policy = ["@" + file];
        }

        var r = Launcher.Run([.. Launcher.System, .. policy, "--", "/bin/sh", "-c",
            """
            cat "$1/d0000/f" "$1/d0500/f" "$1/d0999/f"
            cat "$2" && echo read-ungranted
            true
            """, "sh", root, ungranted], null);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0\n500\n999\n", r.StdOut);
        Assert.Contains("Permission denied", r.StdErr);
    }

    /// <summary>What is wrong, the arguments, the message, and the thing the line ends naming.</summary>
    public static TheoryData<string, string[], string, string?> BadInput => new()
    {
        { "unknown option", ["--frobnicate", "--", "true"], "unknown option", "--frobnicate" },
        { "missing value", ["--ro"], "missing value", "--ro" },
        { "nonexistent path", ["--ro", "/nonexistent/nono-launcher-tests", "--", "true"], "path not found", "/nonexistent/nono-launcher-tests" },
        { "empty path", ["--rw", "", "--", "true"], "empty path", "--rw" },
        { "port 0", ["--connect-tcp", "0", "--", "true"], "invalid port", "--connect-tcp 0" },
        { "port 70000", ["--bind-tcp", "70000", "--", "true"], "invalid port", "--bind-tcp 70000" },
        { "no command", ["--ro", "/usr"], "no command given", null },
        { "bad --net value", ["--net", "some", "--", "true"], "invalid network mode", "--net some" },
        { "%g not at the end", ["--unix-bind", "/tmp/%g/x", "--", "true"], "not an absolute path", "--unix-bind /tmp/%g/x" },
        { "%p and %g", ["--unix-bind", "/tmp/%p%g", "--", "true"], "not an absolute path", "--unix-bind /tmp/%p%g" },
        { "options file missing", ["@/nonexistent/nono-launcher-tests.options", "--", "true"], "options file not found", "/nonexistent/nono-launcher-tests.options" },
        // Found by native/fuzz: a newline in the subject split the error into two lines.
        { "newline in an option", ["--frob\nnicate", "--", "true"], "unknown option", "--frob?nicate" },
        { "forged error line", ["--net", "all\nnono-exec: error: forged", "--", "true"], "invalid network mode", "--net all?nono-exec: error: forged" },
        { "newline in an options file name", ["@/nonexistent/nono\r\nlauncher", "--", "true"], "options file not found", "/nonexistent/nono??launcher" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void BadInput_Exits125_WithOneErrorLine(string what, string[] args, string message, string? named)
    {
        // Paths are opened only once Landlock is known to be there (--best-effort skips them).
        if (what == "nonexistent path")
            Landlock.Require();

        var r = Launcher.Run(args);

        Assert.True(r.ExitCode == 125, $"{what}: {r}");
        Assert.Equal("", r.StdOut);
        Assert.EndsWith("\n", r.StdErr);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{what}: exactly one stderr line expected: {r.StdErr}");
        Assert.StartsWith("nono-exec: error: " + message, lines[0]);
        if (named is not null)
            Assert.EndsWith(": " + named, lines[0]);
    }

    /// <summary>
    /// With --errors, nono-exec's own errors go to that file and nothing to stderr, which the command
    /// shares: a caller reads them from the file, and a command printing the same line is only output.
    /// </summary>
    [Fact]
    public void Errors_GoToTheErrorsFile_NotToStderr()
    {
        var errors = temp.File("errors", "");

        var bad = Launcher.Run("--errors", errors, "--net", "sometimes", "--", "true");
        var forged = Launcher.Run(["--errors", errors, "--best-effort", .. Launcher.System, "--", "/bin/sh", "-c", "echo 'nono-exec: error: forged' >&2; exit 125"], null);

        Assert.Equal(125, bad.ExitCode);
        Assert.Equal("", bad.StdErr);
        Assert.Equal("nono-exec: error: invalid network mode (expected all or none): --net sometimes\n", File.ReadAllText(errors));
        Assert.Equal(125, forged.ExitCode);
        Assert.Contains("nono-exec: error: forged", forged.StdErr);
        Assert.Equal("nono-exec: error: invalid network mode (expected all or none): --net sometimes\n", File.ReadAllText(errors));
        var missing = Launcher.Run("--errors", Path.Combine(Path.GetDirectoryName(errors)!, "missing"), "--", "true");
        Assert.Equal(125, missing.ExitCode);
        Assert.StartsWith("nono-exec: error: cannot open the errors file", missing.StdErr);
    }

    [Fact]
    public void NullStdin_GivesTheCommandDevNull()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Launcher.Path) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        string[] args = ["--best-effort", .. Launcher.System, "--ro", "/proc", "--null-stdin", "--", "/bin/sh", "-c", "readlink /proc/self/fd/0; cat"];
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(psi)!;
        try
        {
            process.StandardInput.WriteLine("typed by the user");
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Broken pipe: nothing reads what is typed, as it should be.
        }
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("/dev/null\n", output);
    }

    [Fact]
    public void Probe_PrintsJsonWithEveryFeature()
    {
        var r = Launcher.Run("--probe");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        var abi = root.GetProperty("landlock_abi").GetInt32();
        Assert.InRange(abi, 0, 100);
        var errata = root.GetProperty("errata");
        Assert.True(errata.ValueKind is JsonValueKind.Number or JsonValueKind.Null, $"errata: {errata}");
        Assert.Equal(abi >= 1, root.GetProperty("filesystem").GetBoolean());
        Assert.Equal(abi >= 3, root.GetProperty("truncate").GetBoolean());
        Assert.Equal(abi >= 4, root.GetProperty("tcp").GetBoolean());
        Assert.Equal(abi >= 5, root.GetProperty("ioctl_dev").GetBoolean());
        Assert.Equal(abi >= 6, root.GetProperty("scopes").GetBoolean());
        Assert.True(root.GetProperty("seccomp").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(1, r.StdOut.Count(c => c == '\n'));
        Assert.EndsWith("}\n", r.StdOut);
    }
}
