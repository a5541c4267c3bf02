using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Nono.Build.Tool;

/// <summary>
/// The processes dotnet nono runs (nono-exec and the build inside it), with the terminal as is,
/// and the signals it passes on while they run: ^C reaches the whole foreground process group,
/// the build included, so dotnet nono waits for it to stop; CI cancels with SIGTERM to this
/// process alone, which is passed on (nono-exec then kills what is left).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class Children : IDisposable
{
    private readonly List<Process> running = [];
    private readonly PosixSignalRegistration[] registrations;
    private int terminatedBy;

    public Children()
    {
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => PassOn(c, 15)),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => PassOn(c, 1)),
        ];
    }

    /// <summary>Starts the program; <paramref name="capture"/>: its output (stdout and stderr, in order) is kept there instead of reaching the terminal.</summary>
    public Process Start(string program, IEnumerable<string> arguments, Dictionary<string, string?>? environment, StringBuilder? capture = null)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = capture is not null, RedirectStandardError = capture is not null };
        foreach (var argument in arguments)
            psi.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
                psi.Environment.Remove(name);
            else
                psi.Environment[name] = value;
        }
        var process = new Process { StartInfo = psi };
        if (capture is not null)
        {
            process.OutputDataReceived += (_, e) => Keep(capture, e.Data);
            process.ErrorDataReceived += (_, e) => Keep(capture, e.Data);
        }
        lock (running)
        {
            process.Start();
            running.Add(process);
        }
        if (capture is not null)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }

    /// <summary>Waits for the process (and all its output) and returns its exit code; one stopped by a termination request never reads as a success.</summary>
    public int Wait(Process process)
    {
        process.WaitForExit();
        lock (running)
            running.Remove(process);
        var code = process.ExitCode;
        process.Dispose();
        return terminatedBy != 0 && code == 0 ? 128 + terminatedBy : code;
    }

    /// <summary>Asks the process to stop (SIGTERM: nono-exec passes it on, then kills what is left) and waits for it.</summary>
    public void Stop(Process process)
    {
        if (!process.HasExited)
            Nono.Native.LibC.Kill(process.Id, 15);
        process.WaitForExit();
        lock (running)
            running.Remove(process);
        process.Dispose();
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
            registration.Dispose();
    }

    private void PassOn(PosixSignalContext context, int signal)
    {
        context.Cancel = true;
        terminatedBy = signal;
        lock (running)
        {
            foreach (var process in running)
                Nono.Native.LibC.Kill(process.Id, signal);
        }
    }

    private static void Keep(StringBuilder capture, string? line)
    {
        if (line is null)
            return;
        lock (capture)
            capture.Append(line).Append('\n');
    }
}
