namespace Nono.Build.Tool;

internal static partial class WholeBuild
{
    /// <summary>
    /// The restore phase alone (for <c>dotnet nono inventory</c>): the same policy and command line
    /// as a build's restore, with the run's private directory and egress proxy of its own. Without
    /// Landlock: NONO0001, or a plain restore (still without package imports) with --unsandboxed.
    /// </summary>
    internal static int RestoreOnly(string[] args, bool printPolicy, bool unsandboxed)
    {
        var machine = Machine.Find();
        if (LandlockAbi() <= 0)
        {
            if (!unsandboxed)
            {
                Console.Error.WriteLine("dotnet nono: error NONO0001: this kernel does not enforce Landlock, so restore cannot be sandboxed. Run on Linux 5.13+ with Landlock enabled (lsm=landlock), pass --unsandboxed to restore without the sandbox, or --no-restore to use what was restored.");
                return 1;
            }
            Console.Error.WriteLine("dotnet nono: warning NONO0001: this kernel does not enforce Landlock; restoring UNSANDBOXED (--unsandboxed).");
            return Start(machine.Dotnet, RestoreCommandLine(args), null);
        }
        var target = Target(args);
        var repository = Repository.Find(target);
        var privateRoot = Directory.CreateTempSubdirectory("nono-build-").FullName;
        using var proxy = new Nono.Egress.EgressProxy();
        using var children = new Children();
        var started = DateTime.UtcNow;
        try
        {
            return Restore(children, args, target, repository, machine, privateRoot, proxy, printPolicy);
        }
        finally
        {
            // Restore starts no compiler server: only the node pipes to clean.
            CleanUp(privateRoot, [], started);
        }
    }
}
