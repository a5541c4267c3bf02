namespace Nono.Build.Tasks;

/// <summary>nono-exec options as one command-line string, quoted as .NET splits ProcessStartInfo.Arguments on Unix.</summary>
internal static class LauncherCommandLine
{
    public static string Join(IEnumerable<string> args) => string.Join(" ", args.Select(Quote));

    public static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or ':' or '@' or '+' or ','))
            return arg;
        // Backslashes are literal except in a run before a quote, where each is doubled.
        var quoted = new System.Text.StringBuilder(arg.Length + 2).Append('"');
        for (var i = 0; i < arg.Length; i++)
        {
            var slashes = 0;
            while (i < arg.Length && arg[i] == '\\')
            {
                slashes++;
                i++;
            }
            if (i == arg.Length)
                quoted.Append('\\', slashes * 2);
            else if (arg[i] == '"')
                quoted.Append('\\', slashes * 2 + 1).Append('"');
            else
                quoted.Append('\\', slashes).Append(arg[i]);
        }
        return quoted.Append('"').ToString();
    }
}
