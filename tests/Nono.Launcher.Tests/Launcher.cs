using System.Diagnostics;
using System.Reflection;
using System.Text;

// nono-exec is Linux-only, and so are these tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Nono.Launcher.Tests;

/// <summary>Runs nono-exec and captures what it did.</summary>
internal static class Launcher
{
    public static string Path { get; } = typeof(Launcher).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NonoExecPath").Value!;

    /// <summary>No sandboxed command in these tests should run anywhere near this long.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
    }

    /// <summary>nono-exec with these arguments (options, then the command).</summary>
    public static Result Run(params string[] args) => Run(args, workingDirectory: null);

    public static Result Run(IEnumerable<string> args, string? workingDirectory) =>
        RunProcess(Path, args, workingDirectory);

    /// <summary>argv (a program and its arguments) as root, or as another user through setpriv (this process being root).</summary>
    public static Result RunAs(string user, string[] argv) => user == "root"
        ? RunProcess(argv[0], argv[1..])
        : RunProcess("/usr/bin/setpriv", ["--reuid", user, "--regid", "nogroup", "--clear-groups", .. argv]);

    /// <summary>Any program (not sandboxed by itself), with a bounded wait.</summary>
    public static Result RunProcess(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
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
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within {Timeout}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The grants every command needs to start: the system toolchain.</summary>
    public static readonly string[] System = ["--rox", "/usr", "--rox", "/lib", "--ro", "/etc", "--rw", "/dev/null"];

    public static Result Sh(IEnumerable<string> options, string script, params string[] args) =>
        Run([.. System, .. options, "--", "/bin/sh", "-c", script, "sh", .. args], null);

    /// <summary>Python prelude: attempt(label, fn) prints "label ok" or "label ERRNO-NAME strerror".</summary>
    public const string PythonPrelude = """
        import errno, socket, sys
        def attempt(label, fn):
            try:
                fn()
                print(label, "ok")
            except OSError as e:
                print(label, errno.errorcode.get(e.errno, e.errno), e.strerror)
        """;

    /// <summary>
    /// python3 -c SCRIPT ARGS… in the sandbox. /usr/bin/python3 is preferred (covered by
    /// <see cref="System"/>); otherwise the first python3 on PATH, with its prefix granted.
    /// </summary>
    public static Result Python(IEnumerable<string> options, string script, params string[] args) =>
        Run([.. System, .. PythonGrants, .. options, "--", PythonPath, "-c", script, .. args], null);

    private static readonly (string Path, string[] Grants) python = FindPython();
    public static string PythonPath => python.Path;
    private static string[] PythonGrants => python.Grants;

    private static (string, string[]) FindPython()
    {
        const string system = "/usr/bin/python3";
        if (File.Exists(system))
            return (system, []);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var candidate = global::System.IO.Path.Combine(dir, "python3");
            if (!File.Exists(candidate))
                continue;
            var real = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
            // <prefix>/bin/python3.x: the prefix holds the interpreter and its library.
            var prefix = Directory.GetParent(global::System.IO.Path.GetDirectoryName(real)!)!.FullName;
            return (real, ["--rox", prefix]);
        }
        throw new InvalidOperationException("these tests need python3 (/usr/bin/python3 or on PATH)");
    }
}

/// <summary>A fresh directory under the system temp path, deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nono-launcher-tests-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Dir(string relative) => Directory.CreateDirectory(this[relative]).FullName;

    public string File(string relative, string content)
    {
        var path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
