using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Nono.Launcher.Tests;

/// <summary>Runs nono-exec and captures what it did.</summary>
internal static class Launcher
{
    public static string Path { get; } = typeof(Launcher).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NonoExecPath").Value!;

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>nono-exec with these arguments (options, then the command).</summary>
    public static Result Run(params string[] args) => Run(args, workingDirectory: null);

    public static Result Run(IEnumerable<string> args, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The grants every command needs to start: the system toolchain.</summary>
    public static readonly string[] System = ["--rox", "/usr", "--rox", "/lib", "--ro", "/etc", "--rw", "/dev/null"];

    public static Result Sh(IEnumerable<string> options, string script) =>
        Run([.. System, .. options, "--", "/bin/sh", "-c", script], null);
}
