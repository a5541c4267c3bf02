namespace Nono.Build.Tasks;

/// <summary>nono-exec options as one command-line string, quoted as .NET splits ProcessStartInfo.Arguments on Unix.</summary>
internal static class LauncherCommandLine
{
    public static string Join(IEnumerable<string> args) => string.Join(" ", args.Select(Quote));

    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or ':' or '@' or '+' or ',')
            ? arg
            : "\"" + arg.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
