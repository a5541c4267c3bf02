using Nono.Build.Tasks;

namespace Nono.Build.Tool;

/// <summary>
/// What dotnet nono says after a build that failed in the sandbox unrecorded: what the build's
/// output shows the sandbox typically causes, with the item that allows it (NONO3004, read as
/// for a failed step), then how to have every denial named (NONO3001). The output is MSBuild's
/// own (Nono.Build.Loggers' OutputLogger: what the console shows at minimal verbosity, in the
/// build's private folder).
/// </summary>
internal static class FailureHints
{
    private const long MostRead = 16 << 20;

    private const string LoggerType = "Nono.Build.Loggers.OutputLogger";

    /// <summary>MSBuild's argument for the logger that keeps the build's output in <paramref name="file"/>; null where it cannot be passed.</summary>
    public static string? LoggerArgument(string file) =>
        File.Exists(BuildTimeline.LoggerAssembly) && (BuildTimeline.LoggerAssembly + file).IndexOfAny([',', ';']) < 0
            ? $"-logger:{LoggerType},{BuildTimeline.LoggerAssembly};{file}"
            : null;

    public static void Print(string file, CapabilitySet policy, string command, TextWriter error)
    {
        var hints = new StepOutputHints();
        foreach (var line in LastLines(file))
            hints.Observe(line);
        foreach (var hint in hints.Messages(policy, "build"))
            error.WriteLine($"dotnet nono: {BuildDiagnostics.Printable(hint)}");
        error.WriteLine($"dotnet nono: {Diagnostics.StepFailed}: the build ran in the sandbox; if it failed because an access was denied ('Permission denied', a failed name resolution, a refused connection), run `dotnet nono --diagnostics {command} …` with the same arguments to have each denial named with the item that allows it.");
    }

    /// <summary>The lines of the file's last <see cref="MostRead"/> bytes; none if it cannot be read.</summary>
    private static IEnumerable<string> LastLines(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read);
            if (stream.Length > MostRead)
                stream.Seek(-MostRead, SeekOrigin.End);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
