namespace Nono.Build.Sdk.Tests.Escape;

/// <summary>
/// Runs the escape project once per user, both builds side by side: as root (when the tests run as
/// root, as CI does) and as an unprivileged user (nobody, through setpriv, with its own home and
/// package folder; or the tests' own user when that is not root). Compiles the setuid probe and
/// the LD_PRELOAD payload first, and records /etc/shadow before and after.
/// </summary>
public sealed class EscapeSuite : IAsyncLifetime
{
    private readonly E2EEnvironment env;
    private readonly IcmpSniffer icmp = new();
    private (string Hash, DateTime Modified, int Links) shadowBefore;

    public EscapeSuite(E2EEnvironment env)
    {
        this.env = env;
    }

    /// <summary>Why the suite did not run (no Landlock); the tests report it through Landlock.Require().</summary>
    public string? NotRun { get; private set; }

    public EscapeRun? Root { get; private set; }

    public EscapeRun? Unprivileged { get; private set; }

    public string? IcmpUnavailable => icmp.Unavailable;

    public EscapeRun? For(EscapeIdentity identity) => identity == EscapeIdentity.Root ? Root : Unprivileged;

    public async ValueTask InitializeAsync()
    {
        if (!Sandbox.Support.IsSupported)
        {
            NotRun = Sandbox.Support.Reason;
            return;
        }
        var source = Path.Combine(AppContext.BaseDirectory, "Escape");
        var tools = Directory.CreateDirectory(Path.Combine(env.Root, "escape-tools")).FullName;
        var probe = Path.Combine(tools, "suid-probe");
        var preload = Path.Combine(tools, "preload.so");
        Compile(probe, Path.Combine(source, "native", "suid-probe.c"));
        Compile(preload, Path.Combine(source, "native", "preload.c"), "-shared", "-fPIC");
        shadowBefore = Shadow();

        if (Environment.IsPrivilegedProcess)
            Root = new EscapeRun(env, this, EscapeIdentity.Root);
        Unprivileged = new EscapeRun(env, this, EscapeIdentity.Unprivileged);
        var attempts = Path.Combine(source, "attempts");
        await Task.WhenAll(new[] { Root, Unprivileged }.OfType<EscapeRun>().Select(run => Task.Run(() => run.Run(probe, preload, attempts))));
    }

    public ValueTask DisposeAsync()
    {
        Root?.Dispose();
        Unprivileged?.Dispose();
        icmp.Dispose();
        return ValueTask.CompletedTask;
    }

    public bool IcmpMarkerSeen(string marker) => icmp.Saw(marker);

    public void AssertShadowUntouched()
    {
        var now = Shadow();
        Assert.Equal(shadowBefore.Hash, now.Hash);
        Assert.Equal(shadowBefore.Modified, now.Modified);
        Assert.Equal(shadowBefore.Links, now.Links);
    }

    private static (string Hash, DateTime Modified, int Links) Shadow()
    {
        const string shadow = "/etc/shadow";
        var hash = Environment.IsPrivilegedProcess ? EscapeCatalog.Hash(shadow) : "(not readable to the tests)";
        return (hash, File.GetLastWriteTimeUtc(shadow), EscapeRun.LinkCount(shadow));
    }

    private static void Compile(string output, string source, params string[] flags)
    {
        var result = Cli.Run("/", null, "gcc", ["-O1", "-Wall", "-Wextra", "-Werror", .. flags, "-o", output, source]);
        if (!result.Succeeded)
            throw new InvalidOperationException($"compiling {source} failed:\n{result}");
        File.SetUnixFileMode(output, (UnixFileMode)0x1ed);
    }
}
