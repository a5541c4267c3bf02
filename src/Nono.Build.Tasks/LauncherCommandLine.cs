namespace Nono.Build.Tasks;

/// <summary>nono-exec options as one command-line string, quoted as .NET splits ProcessStartInfo.Arguments on Unix.</summary>
internal static class LauncherCommandLine
{
    /// <summary>
    /// The arguments .NET passes a process for <paramref name="commandLine"/> as
    /// ProcessStartInfo.Arguments on Unix: blanks separate; double quotes group, and a doubled one
    /// inside them is literal; backslashes are literal except in a run before a quote, where each
    /// pair is one backslash and an odd one makes the quote literal.
    /// </summary>
    public static List<string> Split(string commandLine)
    {
        var args = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < commandLine.Length && commandLine[i] is ' ' or '\t')
                i++;
            if (i == commandLine.Length)
                return args;
            var arg = new System.Text.StringBuilder();
            var quoted = false;
            while (i < commandLine.Length)
            {
                var slashes = 0;
                while (i < commandLine.Length && commandLine[i] == '\\')
                {
                    slashes++;
                    i++;
                }
                if (slashes > 0)
                {
                    var beforeQuote = i < commandLine.Length && commandLine[i] == '"';
                    arg.Append('\\', beforeQuote ? slashes / 2 : slashes);
                    if (beforeQuote && slashes % 2 == 1)
                    {
                        arg.Append('"');
                        i++;
                    }
                    continue;
                }
                var c = commandLine[i];
                if (c == '"')
                {
                    if (quoted && i + 1 < commandLine.Length && commandLine[i + 1] == '"')
                    {
                        arg.Append('"');
                        i++;
                    }
                    else
                        quoted = !quoted;
                    i++;
                    continue;
                }
                if (c is ' ' or '\t' && !quoted)
                    break;
                arg.Append(c);
                i++;
            }
            args.Add(arg.ToString());
        }
    }

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
