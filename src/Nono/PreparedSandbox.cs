using Nono.Native;

namespace Nono;

/// <summary>
/// A <see cref="CapabilitySet"/> whose kernel ruleset is built once (<see cref="Sandbox.Prepare"/>),
/// so that each process started under it opens no granted path again: with a large policy that
/// is most of a sandboxed start's cost. The grants are bound to the files their paths named when
/// prepared; <see cref="IsCurrent"/> tells whether the writable and caller-given ones still do.
/// </summary>
public sealed class PreparedSandbox : IDisposable
{
    private readonly object gate = new();
    private readonly List<Watched> watched;
    private readonly List<string> networkArguments;
    private int rulesetFd;
    private string? optionsFile;

    internal PreparedSandbox(CapabilitySet capabilities, int rulesetFd)
    {
        Capabilities = capabilities;
        this.rulesetFd = rulesetFd;
        networkArguments = capabilities.NetworkLauncherArguments();
        // System grants (toolchain, /etc) are not replaced during a build; outputs and the caller's
        // own paths may be removed and created again by a target.
        watched = capabilities.FileSystem
            .Where(c => c.Source != CapabilitySource.System || c.Access.HasFlag(AccessMode.Write))
            .Select(c => new Watched(c.ResolvedPath, LibC.FileIdentity(c.ResolvedPath)))
            .ToList();
    }

    private sealed record Watched(string Path, FileId? Identity);

    /// <summary>The grants, as prepared (a copy: later changes to the original set do not apply).</summary>
    public CapabilitySet Capabilities { get; }

    /// <summary>
    /// False once a writable or caller-given grant's path names another file than when prepared (a
    /// target deleted and re-created an output folder, say): the ruleset still allows the old one.
    /// Prepare again then.
    /// </summary>
    public bool IsCurrent => watched.All(w => LibC.FileIdentity(w.Path) == w.Identity);

    /// <summary>
    /// The nono-exec options for one child process (before its <c>--</c>), naming an inheritable
    /// copy of the ruleset descriptor. Start the child while the returned launch is open, then
    /// dispose it once the child has exited (it also deletes the denial report). Other processes
    /// this process starts meanwhile inherit the copy too; it lets them restrict themselves,
    /// never widen anything. With <paramref name="recording"/>, the child's denials (or, with
    /// <see cref="SandboxRecording.Audit"/>, what the policy would deny, nothing being enforced)
    /// are recorded: read them with <see cref="PreparedLaunch.ReadDenials"/> once it has exited.
    /// </summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    /// <exception cref="NonoException">InvalidArgument, SandboxInit.</exception>
    public PreparedLaunch BeginLaunch(SandboxRecording recording = SandboxRecording.None)
    {
        if (!Enum.IsDefined(recording))
            throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid recording '{recording}'");
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(rulesetFd < 0, this);
            var args = new List<string>();
            var copy = -1;
            if (recording != SandboxRecording.Audit)
            {
                copy = LibC.Dup(rulesetFd);
                if (copy < 0)
                    throw new NonoException(NonoErrorKind.SandboxInit,
                        $"cannot duplicate the prepared ruleset descriptor (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
                args.AddRange([LauncherOptions.RulesetFd.Name, copy.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            if (recording == SandboxRecording.None)
                return new PreparedLaunch(copy, [.. args, .. networkArguments], null);

            // The recorder judges each access by the whole policy, so it gets every option.
            optionsFile ??= Platform.LauncherOptionsFile.Write(Capabilities.ToLauncherArguments());
            var report = Path.Combine(Path.GetTempPath(), $"nono-{Guid.NewGuid():N}.denials");
            args.Add("@" + optionsFile);
            if (recording == SandboxRecording.Audit)
                args.Add(LauncherOptions.Audit.Name);
            args.AddRange([LauncherOptions.Report.Name, report]);
            return new PreparedLaunch(copy, args, report);
        }
    }

    /// <summary>Closes the ruleset; launches already begun keep their own copy.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (rulesetFd >= 0)
                LibC.Close(rulesetFd);
            rulesetFd = -1;
            if (optionsFile is not null)
                File.Delete(optionsFile);
            optionsFile = null;
        }
    }
}

/// <summary>One child's view of a <see cref="PreparedSandbox"/>: its nono-exec options, the descriptor they name, and its denial report.</summary>
public sealed class PreparedLaunch : IDisposable
{
    private readonly string? reportPath;
    private int fd;

    internal PreparedLaunch(int fd, IReadOnlyList<string> launcherArguments, string? reportPath)
    {
        this.fd = fd;
        this.reportPath = reportPath;
        LauncherArguments = launcherArguments;
    }

    /// <summary>Options for nono-exec, to go before <c>--</c> and the command.</summary>
    public IReadOnlyList<string> LauncherArguments { get; }

    /// <summary>The descriptor <c>--ruleset-fd</c> names in <see cref="LauncherArguments"/>, or -1.</summary>
    internal int RulesetFd => fd;

    /// <summary>Whether this launch records denials (<see cref="PreparedSandbox.BeginLaunch"/> was given a recording).</summary>
    public bool Records => reportPath is not null;

    /// <summary>
    /// What the sandbox denied the child and the processes it started (or would have denied, in
    /// audit), each access once; read once the child has exited. Empty when not recording.
    /// </summary>
    public (IReadOnlyList<SandboxDenial> Denials, bool Truncated) ReadDenials() =>
        reportPath is null ? ([], false) : SandboxDenial.ReadReport(reportPath);

    /// <summary>Closes this launch's descriptor and deletes its report.</summary>
    public void Dispose()
    {
        var copy = Interlocked.Exchange(ref fd, -1);
        if (copy >= 0)
            LibC.Close(copy);
        if (reportPath is not null)
            File.Delete(reportPath);
    }
}
