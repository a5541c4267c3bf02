namespace Nono;

/// <summary>
/// One nono-exec option (docs/nono-exec.md): its name, what its value is (null for a flag) and
/// its line in <c>nono-exec --help</c>.
/// </summary>
public sealed record LauncherOption(string Name, string? Value, string Usage)
{
    /// <summary>Whether the option takes a value (<c>--ro PATH</c>) or is a flag (<c>--audit</c>).</summary>
    public bool TakesValue => Value is not null;

    /// <summary>The option's name, as it is passed.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// nono-exec's options, one declaration each: the mirror of the launcher's own option table
/// (<c>native/src/policy.c</c>, which drives its parsing and <c>--help</c>). The library builds
/// every launcher command line and options file from these; a test compares them with
/// <c>nono-exec --help</c>.
/// </summary>
public static class LauncherOptions
{
    /// <summary><c>--ro PATH</c>: read PATH (a directory: everything beneath it).</summary>
    public static LauncherOption Read { get; } = new("--ro", "PATH", "read PATH (a directory: everything beneath it)");
    /// <summary><c>--rox PATH</c>: read and execute.</summary>
    public static LauncherOption ReadExecute { get; } = new("--rox", "PATH", "read and execute");
    /// <summary><c>--rw PATH</c>: read and write: create, delete, rename, truncate.</summary>
    public static LauncherOption ReadWrite { get; } = new("--rw", "PATH", "read and write: create, delete, rename, truncate");
    /// <summary><c>--rwx PATH</c>: read, write and execute.</summary>
    public static LauncherOption ReadWriteExecute { get; } = new("--rwx", "PATH", "read, write and execute");
    /// <summary><c>--wo PATH</c>: write only.</summary>
    public static LauncherOption WriteOnly { get; } = new("--wo", "PATH", "write only");
    /// <summary><c>--xo PATH</c>: execute only.</summary>
    public static LauncherOption ExecuteOnly { get; } = new("--xo", "PATH", "execute only");
    /// <summary><c>--wx PATH</c>: write and execute.</summary>
    public static LauncherOption WriteExecute { get; } = new("--wx", "PATH", "write and execute");
    /// <summary><c>--symlinks PATH</c>: create symlinks beneath PATH (not part of any write grant).</summary>
    public static LauncherOption Symlinks { get; } = new("--symlinks", "PATH", "create symlinks, FIFOs and sockets beneath PATH (no write grant does)");
    /// <summary><c>--sockets PATH</c>: create (bind) Unix sockets beneath PATH; no other file.</summary>
    public static LauncherOption Sockets { get; } = new("--sockets", "PATH", "create (bind) Unix sockets beneath PATH; no other file");
    /// <summary><c>--connect-tcp PORT</c>: allow TCP connections to PORT (repeatable).</summary>
    public static LauncherOption ConnectTcp { get; } = new("--connect-tcp", "PORT", "allow TCP connections to PORT (repeatable)");
    /// <summary><c>--bind-tcp PORT</c>: allow binding TCP PORT (repeatable; 0: an ephemeral port).</summary>
    public static LauncherOption BindTcp { get; } = new("--bind-tcp", "PORT", "allow binding TCP PORT (repeatable; 0: an ephemeral port)");
    /// <summary><c>--net all|none</c>: lift network restrictions, or keep them (default: none).</summary>
    public static LauncherOption Net { get; } = new("--net", "all|none", "lift network restrictions, or keep them (default: none)");
    /// <summary><c>--allow-udp</c>: allow UDP sockets (name resolution); they reach any address.</summary>
    public static LauncherOption AllowUdp { get; } = new("--allow-udp", null, "allow UDP sockets (name resolution); they reach any address");
    /// <summary><c>--allow-unix</c>: allow Unix sockets (default: refused; stream socketpairs always work).</summary>
    public static LauncherOption AllowUnix { get; } = new("--allow-unix", null, "allow Unix sockets (default: refused; stream socketpairs always work)");
    /// <summary><c>--unix-own</c>: Unix stream sockets, connected only among the command's own processes (a supervisor makes each connect).</summary>
    public static LauncherOption UnixOwn { get; } = new("--unix-own", null, "Unix stream sockets, connected only among the command's own processes (a supervisor makes each connect)");
    /// <summary><c>--unix-connect PATH</c>: with --unix-own, also connect to the socket PATH, or any beneath it.</summary>
    public static LauncherOption UnixConnect { get; } = new("--unix-connect", "PATH", "with --unix-own: also connect to the socket PATH, or any beneath it");
    /// <summary><c>--unix-bind PATH</c>: with --unix-own, the supervisor binds the socket PATH for the command (%p at its end: the binding process's pid; %g: a random GUID's 32 hexadecimal digits).</summary>
    public static LauncherOption UnixBind { get; } = new("--unix-bind", "PATH", "with --unix-own: the supervisor binds the socket PATH for the command (%p at its end: the binding process's pid; %g: a random GUID's 32 hexadecimal digits)");
    /// <summary><c>--connect-tcp-addr ADDR:PORT</c>: with --unix-own, TCP connections to this address and port only.</summary>
    public static LauncherOption ConnectTcpAddress { get; } = new("--connect-tcp-addr", "ADDR:PORT", "with --unix-own: TCP connections to this address and port only");
    /// <summary><c>--best-effort</c>: run even if the kernel has no Landlock (with a warning).</summary>
    public static LauncherOption BestEffort { get; } = new("--best-effort", null, "run even if the kernel has no Landlock (with a warning)");
    /// <summary><c>--kill-leftovers</c>: stay as the command's parent, out of its reach; kill what it leaves running.</summary>
    public static LauncherOption KillLeftovers { get; } = new("--kill-leftovers", null, "stay as the command's parent, out of its reach; kill what it leaves running");
    /// <summary><c>--ruleset-fd N</c>: use the prepared Landlock ruleset on inherited descriptor N.</summary>
    public static LauncherOption RulesetFd { get; } = new("--ruleset-fd", "N", "use the prepared Landlock ruleset on inherited descriptor N");
    /// <summary><c>--report FILE</c>: append each access the sandbox denies to FILE (see the docs).</summary>
    public static LauncherOption Report { get; } = new("--report", "FILE", "append each access the sandbox denies to FILE (see the docs)");
    /// <summary><c>--audit</c>: enforce nothing of the policy; report what it would deny.</summary>
    public static LauncherOption Audit { get; } = new("--audit", null, "enforce nothing of the policy; report what it would deny");
    /// <summary><c>--errors</c>: write nono-exec's own errors to FILE instead of standard error.</summary>
    public static LauncherOption Errors { get; } = new("--errors", "FILE", "write nono-exec's own errors to FILE instead of standard error");
    /// <summary><c>--null-stdin</c>: give the command /dev/null as standard input.</summary>
    public static LauncherOption NullStdin { get; } = new("--null-stdin", null, "give the command /dev/null as standard input");
    /// <summary><c>--probe</c>: print what this kernel enforces as JSON and exit.</summary>
    public static LauncherOption Probe { get; } = new("--probe", null, "print what this kernel enforces as JSON and exit");
    /// <summary><c>--help</c>: print this help and exit.</summary>
    public static LauncherOption Help { get; } = new("--help", null, "print this help and exit");

    /// <summary>Every option, in the launcher's order.</summary>
    public static IReadOnlyList<LauncherOption> All { get; } =
    [
        Read, ReadExecute, ReadWrite, ReadWriteExecute, WriteOnly, ExecuteOnly, WriteExecute, Symlinks, Sockets,
        ConnectTcp, BindTcp, Net, AllowUdp, AllowUnix, UnixOwn, UnixConnect, UnixBind, ConnectTcpAddress, BestEffort, KillLeftovers, RulesetFd, Report, Audit, Errors, NullStdin, Probe, Help,
    ];

    /// <summary>The option named <paramref name="name"/> (<c>--ro</c>), or null.</summary>
    public static LauncherOption? Find(string name) => All.FirstOrDefault(o => o.Name == name);

    /// <summary>The path option that grants <paramref name="access"/> (without <see cref="AccessMode.CreateSymlink"/>, which is <see cref="Symlinks"/>).</summary>
    public static LauncherOption ForAccess(AccessMode access) => access switch
    {
        AccessMode.Read => Read,
        AccessMode.Read | AccessMode.Execute => ReadExecute,
        AccessMode.ReadWrite => ReadWrite,
        AccessMode.ReadWrite | AccessMode.Execute => ReadWriteExecute,
        AccessMode.Write => WriteOnly,
        AccessMode.Execute => ExecuteOnly,
        AccessMode.Write | AccessMode.Execute => WriteExecute,
        _ => throw new NonoException(NonoErrorKind.InvalidArgument, $"invalid access mode '{access}'"),
    };
}
