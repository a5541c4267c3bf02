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
    private readonly IReadOnlyList<(string Path, (ulong, ulong)? Identity)> watched;
    private readonly List<string> networkArguments;
    private int rulesetFd;

    internal PreparedSandbox(CapabilitySet capabilities, int rulesetFd)
    {
        Capabilities = capabilities;
        this.rulesetFd = rulesetFd;
        networkArguments = capabilities.NetworkLauncherArguments();
        // System grants (toolchain, /etc) are not replaced during a build; outputs and the caller's
        // own paths may be removed and created again by a target.
        watched = capabilities.FileSystem
            .Where(c => c.Source != CapabilitySource.System || c.Access.HasFlag(AccessMode.Write))
            .Select(c => (c.ResolvedPath, LibC.FileIdentity(c.ResolvedPath)))
            .ToList();
    }

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
    /// dispose it. Other processes this process starts meanwhile inherit the copy too; it lets
    /// them restrict themselves, never widen anything.
    /// </summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public PreparedLaunch BeginLaunch()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(rulesetFd < 0, this);
            var copy = LibC.Dup(rulesetFd);
            if (copy < 0)
                throw new NonoException(NonoErrorKind.SandboxInit,
                    $"cannot duplicate the prepared ruleset descriptor (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
            List<string> args = ["--ruleset-fd", copy.ToString(System.Globalization.CultureInfo.InvariantCulture), .. networkArguments];
            return new PreparedLaunch(copy, args);
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
        }
    }
}

/// <summary>One child's view of a <see cref="PreparedSandbox"/>: its nono-exec options and the descriptor they name.</summary>
public sealed class PreparedLaunch : IDisposable
{
    private int fd;

    internal PreparedLaunch(int fd, IReadOnlyList<string> launcherArguments)
    {
        this.fd = fd;
        LauncherArguments = launcherArguments;
    }

    /// <summary>Options for nono-exec, to go before <c>--</c> and the command.</summary>
    public IReadOnlyList<string> LauncherArguments { get; }

    /// <summary>Closes this launch's descriptor; call it once the child has started.</summary>
    public void Dispose()
    {
        var copy = Interlocked.Exchange(ref fd, -1);
        if (copy >= 0)
            LibC.Close(copy);
    }
}
