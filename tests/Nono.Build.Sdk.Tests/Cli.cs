using System.Diagnostics;
using System.Text;

namespace Nono.Build.Sdk.Tests;

/// <summary>What a command did: its exit code, standard output and error interleaved, and how long it took.</summary>
public sealed record CliResult(string CommandLine, int ExitCode, string Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"$ {CommandLine}\n(exit code {ExitCode}, {Duration.TotalSeconds:F1} s)\n{Output}";
}

/// <summary>Runs dotnet (or another tool) as a child process, without build servers, and waits for it.</summary>
internal static class Cli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="args"/>. The child gets this process's
    /// environment without the variables an outer MSBuild (dotnet test) sets, plus
    /// <paramref name="environment"/> (a null value removes a variable).
    /// </summary>
    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, string fileName, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        foreach (var name in psi.Environment.Keys.ToList())
        {
            // dotnet test runs inside MSBuild, which exports its own paths; the builds under test
            // must find their SDK and settings as a user's command line would.
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(name);
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                psi.Environment.Remove(name);
            else
                psi.Environment[name] = value;
        }

        var commandLine = string.Join(" ", [fileName, .. args]);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{commandLine}' did not finish within {DefaultTimeout}; killed. Output so far:\n{Text(output)}");
        }
        process.WaitForExit(); // drains the redirected output
        stopwatch.Stop();
        var result = new CliResult(commandLine, process.ExitCode, Text(output), stopwatch.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());
        return result;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.Append(line).Append('\n');
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }
}
