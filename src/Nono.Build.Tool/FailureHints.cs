using System.Text.RegularExpressions;
using Nono.Build.Tasks;

namespace Nono.Build.Tool;

/// <summary>
/// What dotnet nono says after a build that failed in the sandbox unrecorded: what the build's
/// output shows the sandbox typically causes, with the item that allows it (NONO3004, read as
/// for a failed step), then how to have every denial named (NONO3001). The output is MSBuild's
/// own (Nono.Build.Loggers' OutputLogger: what the console shows at minimal verbosity, in the
/// build's private folder).
/// </summary>
internal static partial class FailureHints
{
    private const long MostRead = 16 << 20;

    private const string LoggerType = "Nono.Build.Loggers.OutputLogger";

    /// <summary>MSBuild's argument for the logger that keeps the build's output in <paramref name="file"/>; null where it cannot be passed.</summary>
    public static string? LoggerArgument(string file) =>
        File.Exists(BuildTimeline.LoggerAssembly) && (BuildTimeline.LoggerAssembly + file).IndexOfAny([',', ';']) < 0
            ? $"-logger:{LoggerType},{BuildTimeline.LoggerAssembly};{file}"
            : null;

    /// <summary>
    /// The hints, then NONO3001 unless the build failed for reasons the sandbox does not cause (the
    /// compiler's errors and nothing familiar), an SDK step already said it, or nothing ran (125,
    /// nono-exec's own failure, which it has explained).
    /// </summary>
    public static void Print(string file, CapabilitySet policy, string command, int exitCode, TextWriter error)
    {
        var hints = new StepOutputHints();
        var compileErrors = false;
        var stepAdvised = false;
        foreach (var line in LastLines(file))
        {
            hints.Observe(line);
            compileErrors |= CompileError().IsMatch(line);
            stepAdvised |= line.Contains(Diagnostics.StepFailed + ":", StringComparison.Ordinal);
        }
        var messages = hints.Messages(policy, "build").ToList();
        foreach (var hint in messages)
            error.WriteLine($"dotnet nono: {BuildDiagnostics.Printable(hint)}");
        if (exitCode != 125 && !stepAdvised && (messages.Count > 0 || !compileErrors))
            error.WriteLine($"dotnet nono: {Diagnostics.StepFailed}: the build ran in the sandbox; if it failed because an access was denied ('Permission denied', a failed name resolution, a refused connection), run `dotnet nono --diagnostics {command} …` with the same arguments to have each denial named with the item that allows it.");
    }

    [GeneratedRegex(@"error (CS|FS|BC)\d{4}:")]
    private static partial Regex CompileError();

    /// <summary>The lines of at most the file's last <see cref="MostRead"/> bytes; none if it is not a regular file (the build wrote the folder, and has ended) or cannot be read.</summary>
    private static IEnumerable<string> LastLines(string file)
    {
        try
        {
            if (UnixFileType.Of(file)?.Type != UnixFileType.Regular)
                return [];
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read);
            if (stream.Length > MostRead)
                stream.Seek(-MostRead, SeekOrigin.End);
            var buffer = new byte[Math.Min(stream.Length, MostRead)];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, read).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
