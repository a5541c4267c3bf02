using System.Text;
using Microsoft.Build.Framework;

namespace Nono.Build.Loggers;

/// <summary>
/// Writes what the console shows at minimal verbosity (errors, warnings, high-importance messages
/// such as an Exec's output) to the file its parameter names, one line each, so that dotnet nono
/// can read a failed build's output for what the sandbox denied. MSBuild's own file logger would
/// do, but it announces its file on the console.
/// </summary>
public sealed class OutputLogger : ILogger
{
    private StreamWriter? writer;

    public LoggerVerbosity Verbosity { get; set; }

    public string? Parameters { get; set; }

    public void Initialize(IEventSource eventSource)
    {
        if (string.IsNullOrEmpty(Parameters))
            throw new LoggerException("OutputLogger needs the file to write as its parameter: -logger:Nono.Build.Loggers.OutputLogger,ASSEMBLY;FILE");
        writer = new StreamWriter(new FileStream(Parameters, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        eventSource.ErrorRaised += (_, e) => writer.WriteLine(e.Message);
        eventSource.WarningRaised += (_, e) => writer.WriteLine(e.Message);
        eventSource.MessageRaised += (_, e) =>
        {
            if (e.Importance == MessageImportance.High)
                writer.WriteLine(e.Message);
        };
    }

    public void Shutdown() => writer?.Dispose();
}
