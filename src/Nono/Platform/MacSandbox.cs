using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace Nono.Platform;

/// <summary>
/// Seatbelt, the macOS sandbox: <c>sandbox_init</c> from libsandbox for this process, and
/// <c>/usr/bin/sandbox-exec -p</c> for children, both with the set's <see cref="SeatbeltProfile"/>.
/// No native binary of ours is needed.
/// </summary>
[SupportedOSPlatform("macos")]
internal sealed partial class MacSandbox : ISandboxBackend
{
    /// <summary>The launcher is always this one: never a <c>sandbox-exec</c> found on PATH.</summary>
    internal const string SandboxExec = "/usr/bin/sandbox-exec";

    private const string LibSandbox = "/usr/lib/libsandbox.1.dylib";
    private const string LibSystem = "/usr/lib/libSystem.B.dylib";

    /// <summary>Above this many bytes the profile goes to sandbox-exec in a file (-f) rather than on its command line.</summary>
    private const int InlineProfileLimit = 128 * 1024;

    /// <summary>
    /// <c>int sandbox_init(const char *profile, uint64_t flags, char **errorbuf)</c>: with flags 0,
    /// <paramref name="profile"/> is SBPL text. On failure <paramref name="errorBuffer"/> holds a
    /// message to free with <see cref="SandboxFreeError"/>.
    /// </summary>
    [LibraryImport(LibSandbox, EntryPoint = "sandbox_init", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SandboxInit(string profile, ulong flags, out nint errorBuffer);

    [LibraryImport(LibSandbox, EntryPoint = "sandbox_free_error")]
    private static partial void SandboxFreeError(nint errorBuffer);

    /// <summary>
    /// <c>int sandbox_check(pid_t, const char *operation, int type, ...)</c>: with no operation
    /// (and so no variadic argument), 1 when the process runs in a sandbox.
    /// </summary>
    [LibraryImport(LibSystem, EntryPoint = "sandbox_check")]
    private static partial int SandboxCheck(int pid, nint operation, int type);

    private readonly Lazy<SupportInfo> support = new(Probe);

    public SupportInfo Support => support.Value;

    private static SupportInfo Probe()
    {
        if (!File.Exists(SandboxExec))
            return new SupportInfo(false, "macos", 0, SandboxFeatures.None, $"{SandboxExec} is missing");
        try
        {
            if (AlreadySandboxed())
                return new SupportInfo(false, "macos", 0, SandboxFeatures.None, NestedReason);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new SupportInfo(false, "macos", 0, SandboxFeatures.None, $"libsandbox could not be loaded: {e.Message}");
        }
        return new SupportInfo(true, "macos", 0, SandboxFeatures.FileSystem | SandboxFeatures.TcpPorts);
    }

    private const string NestedReason =
        "this process already runs in a Seatbelt sandbox (started by sandbox-exec or under App Sandbox), and Seatbelt refuses a sandbox inside another; run it unsandboxed and let Nono apply the sandbox";

    private static bool AlreadySandboxed() => SandboxCheck(Environment.ProcessId, 0, 0) == 1;

    private void RequireSupport()
    {
        if (Support.IsSupported)
            return;
        throw Support.Reason == NestedReason
            ? new NonoException(NonoErrorKind.NestedSandbox, NestedReason)
            : new NonoException(NonoErrorKind.UnsupportedPlatform, Support.Reason!);
    }

    public void Apply(CapabilitySet capabilities)
    {
        RequireSupport();
        var profile = SeatbeltProfile.Generate(capabilities);
        if (SandboxInit(profile, 0, out var errorBuffer) == 0)
            return;
        var error = "sandbox_init failed";
        if (errorBuffer != 0)
        {
            error = Marshal.PtrToStringUTF8(errorBuffer) ?? error;
            SandboxFreeError(errorBuffer);
        }
        // A sandbox applied meanwhile (by another thread) refuses this one: EPERM.
        if (AlreadySandboxed() || error.Contains("Operation not permitted", StringComparison.Ordinal))
            throw new NonoException(NonoErrorKind.NestedSandbox, $"{NestedReason} ({error})");
        throw new NonoException(NonoErrorKind.SandboxInit, $"the sandbox could not be set up: {error}");
    }

    public PreparedSandbox Prepare(CapabilitySet capabilities) =>
        throw new NonoException(NonoErrorKind.UnsupportedPlatform,
            "Sandbox.Prepare builds a Landlock ruleset, which macOS has not; start each process with SandboxedProcess.Start(CapabilitySet, ProcessStartInfo)");

    public SandboxedStart Wrap(CapabilitySet capabilities, IReadOnlyList<string> launcherOptions, ProcessStartInfo command)
    {
        RequireSupport();
        if (launcherOptions.Any(o => o == LauncherOptions.Report.Name || o == LauncherOptions.Audit.Name))
            throw new NonoException(NonoErrorKind.UnsupportedPlatform, "recording denials (SandboxRecording) needs nono-exec, which is Linux-only; on macOS start the process without recording");
        if (command.UseShellExecute)
            throw new NonoException(NonoErrorKind.InvalidArgument, "UseShellExecute cannot be sandboxed (set it to false)");
        PathResolver.CheckArgument(command.FileName, "FileName");

        var wrapped = WrapperStart.For(SandboxExec, command);

        string? profileFile = null;
        foreach (var arg in Arguments(SeatbeltProfile.Generate(capabilities), out profileFile))
            wrapped.ArgumentList.Add(arg);
        wrapped.ArgumentList.Add(command.FileName);
        foreach (var arg in command.ArgumentList.Count > 0 ? [.. command.ArgumentList] : CommandLine.Split(command.Arguments))
            wrapped.ArgumentList.Add(arg);
        return new SandboxedStart(wrapped, profileFile);
    }

    /// <summary>
    /// sandbox-exec's arguments before the command: <c>-p PROFILE --</c>, or <c>-f FILE --</c> for a
    /// profile too large for a command line (the caller deletes <paramref name="profileFile"/>).
    /// </summary>
    internal static IReadOnlyList<string> Arguments(string profile, out string? profileFile)
    {
        profileFile = null;
        if (Encoding.UTF8.GetByteCount(profile) <= InlineProfileLimit)
            return ["-p", profile, "--"];
        profileFile = Path.Combine(Path.GetTempPath(), $"nono-{Guid.NewGuid():N}.sb");
        File.WriteAllText(profileFile, profile, new UTF8Encoding(false));
        return ["-f", profileFile, "--"];
    }
}
