using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Logging;

namespace Nono.Build.Loggers;

/// <summary>
/// Writes what the console shows at minimal verbosity (errors, warnings, high-importance messages
/// such as an Exec's output) to the file its parameter names, so that dotnet nono can read a
/// failed build's output for what the sandbox denied. A console logger, so that MSBuild still
/// drops low-importance messages early (it assumes an unknown logger wants them all); MSBuild's
/// own file logger would do too, but it announces its file on the console.
/// </summary>
public sealed class OutputLogger : ConsoleLogger
{
    private StreamWriter? writer;

    public OutputLogger()
        : base(LoggerVerbosity.Minimal)
    {
        WriteHandler = text => writer?.Write(text);
    }

    public override void Initialize(IEventSource eventSource) => Initialize(eventSource, nodeCount: 1);

    public override void Initialize(IEventSource eventSource, int nodeCount)
    {
        if (string.IsNullOrEmpty(Parameters))
            throw new LoggerException("OutputLogger needs the file to write as its parameter: -logger:Nono.Build.Loggers.OutputLogger,ASSEMBLY;FILE");
        writer = new StreamWriter(new FileStream(Parameters, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        Parameters = "DisableConsoleColor";
        Verbosity = LoggerVerbosity.Minimal;
        base.Initialize(eventSource, nodeCount);
    }

    public override void Shutdown()
    {
        base.Shutdown();
        writer?.Dispose();
    }
}
