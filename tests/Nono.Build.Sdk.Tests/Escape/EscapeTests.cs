using System.Text;

namespace Nono.Build.Sdk.Tests.Escape;

/// <summary>
/// The escape suite: every attempt in <see cref="EscapeCatalog"/> is a real sandboxed build step of
/// one build per user (<see cref="EscapeSuite"/>); each (attempt, user) is one test that asserts the
/// step was refused the way the kernel refuses it for that user, and that the attempt's target is
/// untouched. <see cref="Table"/> prints the outcomes (the same table is in docs/security.md).
/// </summary>
public sealed class EscapeTests(EscapeSuite suite) : IClassFixture<EscapeSuite>
{
    public static TheoryData<string, EscapeIdentity> Cases()
    {
        var cases = new TheoryData<string, EscapeIdentity>();
        foreach (var attempt in EscapeCatalog.Attempts)
        {
            cases.Add(attempt.Name, EscapeIdentity.Root);
            cases.Add(attempt.Name, EscapeIdentity.Unprivileged);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Attempt_IsRefused_AndItsTargetIsUntouched(string name, EscapeIdentity identity)
    {
        var run = RunFor(identity);
        var attempt = EscapeCatalog.Get(name);
        if (name == "setuid")
            Root.Require("a setuid-root program can only be installed by root");
        var log = run.Log(name);
        var outcomes = run.Outcomes[name];
        foreach (var op in attempt.Operations)
        {
            Assert.True(outcomes.TryGetValue(op.Id, out var outcome), $"{name}: no outcome for {op.Id}\n{log}");
            var expected = op.For(identity);
            if (expected.Code == "ALLOWED")
                Assert.True(outcome.Kind == "ALLOWED", $"{name}/{op.Id}: expected to work, got {outcome}\n{log}");
            else
                Assert.True(outcome.Kind == "REFUSED" && outcome.Code == expected.Code,
                    $"{name}/{op.Id} ({op.What}) as {run.UserName}: expected REFUSED {expected.Code} ({expected.By}), got {outcome}\n{log}");
        }
        Assert.Contains("RESULT refused", log);
        Assert.Contains($"error MSB3073: The command \"/usr/bin/python3 scripts/{name}.py\" exited with code {attempt.ExitCode}.", run.Output);
        attempt.AssertTargetUntouched(run);
    }

    /// <summary>What the project allows does work in the same build: a refusal above is the sandbox, not a broken harness.</summary>
    [Theory]
    [InlineData(EscapeIdentity.Root)]
    [InlineData(EscapeIdentity.Unprivileged)]
    public void Controls_TheAllowedPortAndOutputsWork(EscapeIdentity identity)
    {
        var run = RunFor(identity);
        var log = run.Log("control");
        Assert.Contains("RESULT allowed", log);
        Assert.True(run.Listeners.TcpAllowedConnected, "the allowed-port listener saw no connection:\n" + log);
        Assert.Contains("Build FAILED.", run.Output);
        run.AssertBuildFinished();
        Assert.Contains($"harness: fd 7 -> {run.InheritedFdVictim}", run.Output);
    }

    /// <summary>Outside the sandbox the harness's probes do escape: the setuid probe gains root, TIOCSTI
    /// echoes on the harness's terminal, the preload library runs. So their absence above means something.</summary>
    [Fact]
    public void Harness_SeesTheEscapes_WhenNotSandboxed()
    {
        RunFor(EscapeIdentity.Unprivileged);
        var run = suite.Unprivileged!;
        var preload = Path.Combine(run.Dir, "tools", "preload.so");
        var loaded = Cli.Run("/", new Dictionary<string, string?> { ["LD_PRELOAD"] = preload }, "/bin/true");
        Assert.Contains("NONO-PRELOAD-RAN", loaded.Output);

        var marker = "nono-escape-harness-" + Guid.NewGuid().ToString("N")[..8];
        var inject = $"import fcntl, os, termios\nfd = os.open('/dev/tty', os.O_RDONLY)\nfor c in '{marker}': fcntl.ioctl(fd, termios.TIOCSTI, c.encode())\n";
        var typed = Cli.Run("/", new Dictionary<string, string?> { ["SHELL"] = "/bin/sh" }, "script", "-qefc", $"/usr/bin/python3 -c \"{inject}\"", "/dev/null");
        Assert.True(typed.Succeeded, typed.ToString());
        Assert.Contains(marker, typed.Output);

        Root.Require("the setuid probe needs root to install");
        var probe = Path.Combine(run.Project, "scripts", "suid-probe");
        var gained = Cli.Run("/", null, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", probe, run.PrivilegedFile);
        Assert.Contains("uid=65534 euid=0 capeff=", gained.Output);
        Assert.Contains("read=OK", gained.Output);
    }

    [Fact]
    public void Table()
    {
        Landlock.Require();
        var text = Render(suite);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(text);
        foreach (var run in new[] { suite.Root, suite.Unprivileged }.OfType<EscapeRun>())
            output?.WriteLine($"{run.Identity} build as {run.UserName}: {run.Build.Duration.TotalSeconds:F1} s, exit code {run.Build.ExitCode}");
        Assert.DoesNotContain("ESCAPED", text);
    }

    /// <summary>The table of attempts and outcomes, as in docs/security.md.</summary>
    public static string Render(EscapeSuite suite)
    {
        var table = new StringBuilder();
        table.Append("| Attempt | Operations | root | unprivileged | Refused by (root / unprivileged) | Target checked untouched |\n");
        table.Append("|---|---|---|---|---|---|\n");
        foreach (var attempt in EscapeCatalog.Attempts)
        {
            var ops = string.Join("; ", attempt.Operations.Select(o => o.What));
            var by = string.Join("; ", attempt.Operations.Select(o => o.Root.By == o.Unprivileged.By ? o.Root.By : $"{o.Root.By} / {o.Unprivileged.By}").Distinct());
            table.Append($"| {attempt.Title} | {Cell(ops)} | {Outcome(suite.Root, attempt)} | {Outcome(suite.Unprivileged, attempt)} | {Cell(by)} | {Cell(attempt.Target)} |\n");
        }
        foreach (var (attempt, coveredBy) in EscapeCatalog.CoveredElsewhere)
            table.Append($"| {attempt} | | see right | see right | {Cell(coveredBy)} | |\n");
        return table.ToString();
    }

    private static string Outcome(EscapeRun? run, EscapeAttempt attempt)
    {
        if (run is null)
            return "not run (tests not root)";
        var outcomes = run.Outcomes[attempt.Name];
        var codes = attempt.Operations.Select(o => outcomes.TryGetValue(o.Id, out var x) ? (x.Kind == "REFUSED" ? x.Code : x.Kind) : "MISSING").ToList();
        var verdict = codes.Contains("ESCAPED") ? "**ESCAPED**" : codes.All(c => c == "ALLOWED") ? "allowed" : "refused";
        return $"{verdict}: {string.Join(", ", codes)}";
    }

    private static string Cell(string s) => s.Replace("|", "\\|");

    private EscapeRun RunFor(EscapeIdentity identity)
    {
        Landlock.Require();
        if (suite.NotRun is not null)
            Assert.Fail("the escape suite did not run: " + suite.NotRun);
        var run = suite.For(identity);
        if (run is null)
            Root.Require("the root half of the escape suite runs as the tests' own user, which must be root");
        return run!;
    }
}
