using System.Text;

namespace Nono.Platform;

/// <summary>
/// Splits ProcessStartInfo.Arguments the way .NET does on Unix: whitespace separates, double quotes
/// group, "" inside quotes is a quote, a backslash escapes a quote or a run of backslashes before one.
/// </summary>
internal static class CommandLine
{
    public static List<string> Split(string? arguments)
    {
        var result = new List<string>();
        if (string.IsNullOrEmpty(arguments))
            return result;
        var current = new StringBuilder();
        var inQuotes = false;
        var inArgument = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var c = arguments[i];
            if (c == '\\')
            {
                var slashes = 0;
                while (i < arguments.Length && arguments[i] == '\\')
                {
                    slashes++;
                    i++;
                }
                if (i < arguments.Length && arguments[i] == '"')
                {
                    current.Append('\\', slashes / 2);
                    if (slashes % 2 == 1)
                        current.Append('"');
                    else
                        i--;
                }
                else
                {
                    current.Append('\\', slashes);
                    i--;
                }
                inArgument = true;
            }
            else if (c == '"')
            {
                if (inQuotes && i + 1 < arguments.Length && arguments[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else
                {
                    inQuotes = !inQuotes;
                }
                inArgument = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (inArgument)
                    result.Add(current.ToString());
                current.Clear();
                inArgument = false;
            }
            else
            {
                current.Append(c);
                inArgument = true;
            }
        }
        if (inArgument)
            result.Add(current.ToString());
        return result;
    }
}
