using System.Diagnostics;

namespace Nono.Platform;

/// <summary>The start of a program that runs a command in its stead (nono-exec, sandbox-exec).</summary>
internal static class WrapperStart
{
    /// <summary><paramref name="program"/> started as <paramref name="command"/> would be: its folder, redirections, encodings and environment; no arguments yet.</summary>
    public static ProcessStartInfo For(string program, ProcessStartInfo command)
    {
        var wrapped = new ProcessStartInfo(program)
        {
            WorkingDirectory = command.WorkingDirectory,
            RedirectStandardInput = command.RedirectStandardInput,
            RedirectStandardOutput = command.RedirectStandardOutput,
            RedirectStandardError = command.RedirectStandardError,
            StandardInputEncoding = command.StandardInputEncoding,
            StandardOutputEncoding = command.StandardOutputEncoding,
            StandardErrorEncoding = command.StandardErrorEncoding,
            CreateNoWindow = command.CreateNoWindow,
            UseShellExecute = false,
        };
        wrapped.Environment.Clear();
        foreach (var (name, value) in command.Environment)
            wrapped.Environment[name] = value;
        return wrapped;
    }
}
