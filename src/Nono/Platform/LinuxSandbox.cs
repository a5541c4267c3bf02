using System.Diagnostics;
using System.Text.Json;
using Nono.Native;

namespace Nono.Platform;

/// <summary>Landlock + seccomp, through libnono (in-process) and nono-exec (child processes).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LinuxSandbox : ISandboxBackend
{
    /// <summary>Above this many bytes of options, they go to nono-exec in an @FILE.</summary>
    private const int InlineOptionsLimit = 64 * 1024;

    private readonly Lazy<SupportInfo> support = new(Probe);

    public SupportInfo Support => support.Value;

    private static SupportInfo Probe()
    {
        string json;
        try
        {
            json = LibNono.Probe();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return new SupportInfo(false, "linux", 0, SandboxFeatures.None, $"libnono.so could not be loaded: {e.Message}");
        }
        var root = JsonDocument.Parse(json).RootElement;
        var features = SandboxFeatures.None;
        foreach (var (name, flag) in new[]
                 {
                     ("filesystem", SandboxFeatures.FileSystem), ("refer", SandboxFeatures.Refer),
                     ("truncate", SandboxFeatures.Truncate), ("tcp", SandboxFeatures.TcpPorts),
                     ("ioctl_dev", SandboxFeatures.IoctlDev), ("scopes", SandboxFeatures.Scopes),
                     ("seccomp", SandboxFeatures.Seccomp),
                 })
        {
            if (root.GetProperty(name).GetBoolean())
                features |= flag;
        }
        var abi = root.GetProperty("landlock_abi").GetInt32();
        return abi > 0
            ? new SupportInfo(true, "linux", abi, features)
            : new SupportInfo(false, "linux", 0, features, "the kernel does not enable Landlock (CONFIG_SECURITY_LANDLOCK and lsm=landlock)");
    }

    private void RequireSupport()
    {
        if (!Support.IsSupported)
            throw new NonoException(NonoErrorKind.UnsupportedPlatform, Support.Reason!);
    }

    public void Apply(CapabilitySet capabilities)
    {
        RequireSupport();
        var error = LibNono.Apply(capabilities.ToLauncherArguments(), out var partial);
        if (error is null)
            return;
        if (partial)
            throw new NonoException(NonoErrorKind.SandboxInit,
                $"the sandbox restricted some threads of this process but not all ({error}); the process is in an inconsistent state and should exit");
        throw LauncherError(error);
    }

    public PreparedSandbox Prepare(CapabilitySet capabilities)
    {
        RequireSupport();
        var fd = LibNono.Ruleset(capabilities.ToLauncherArguments(), out var error);
        return fd >= 0 ? new PreparedSandbox(capabilities, fd) : throw LauncherError(error!);
    }

    /// <summary>A libnono or nono-exec error line ("what: subject") as a typed exception.</summary>
    internal static NonoException LauncherError(string line)
    {
        const string notFound = "path not found: ";
        return line.StartsWith(notFound, StringComparison.Ordinal)
            ? new NonoException(NonoErrorKind.PathNotFound, "path not found", line[notFound.Length..])
            : new NonoException(NonoErrorKind.SandboxInit, $"the sandbox could not be set up: {line}");
    }

    public SandboxedStart Wrap(CapabilitySet capabilities, IReadOnlyList<string> options, ProcessStartInfo command)
    {
        RequireSupport();
        if (command.UseShellExecute)
            throw new NonoException(NonoErrorKind.InvalidArgument, "UseShellExecute cannot be sandboxed (set it to false)");
        PathResolver.CheckArgument(command.FileName, "FileName");

        var wrapped = WrapperStart.For(NativeAssets.Launcher(), command);

        string? optionsFile = null;
        if (options.Sum(o => o.Length + 1) > InlineOptionsLimit)
        {
            optionsFile = LauncherOptionsFile.Write(options);
            wrapped.ArgumentList.Add("@" + optionsFile);
        }
        else
        {
            foreach (var option in options)
                wrapped.ArgumentList.Add(option);
        }
        wrapped.ArgumentList.Add("--");
        wrapped.ArgumentList.Add(command.FileName);
        foreach (var arg in command.ArgumentList.Count > 0 ? [.. command.ArgumentList] : CommandLine.Split(command.Arguments))
            wrapped.ArgumentList.Add(arg);
        return new SandboxedStart(wrapped, optionsFile);
    }
}
