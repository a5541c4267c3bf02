using System.Text;

namespace Nono.Platform;

/// <summary>nono-exec options written to an @FILE (one per line), for policies too large for a command line.</summary>
internal static class LauncherOptionsFile
{
    /// <summary>Writes the options to a new file in the temp directory and returns its path; the caller deletes it.</summary>
    public static string Write(IReadOnlyList<string> options)
    {
        var text = new StringBuilder();
        for (var i = 0; i < options.Count; i++)
        {
            var takesValue = (LauncherOptions.Find(options[i])
                ?? throw new ArgumentException($"not a nono-exec option: {options[i]}", nameof(options))).TakesValue;
            text.Append(options[i]);
            if (takesValue)
            {
                var value = options[++i];
                // One option per line: a line break in a path would be read as another option.
                if (value.Contains('\n') || value.EndsWith('\r'))
                    throw new NonoException(NonoErrorKind.InvalidArgument,
                        "a path with a line break cannot go into a nono-exec options file (used for policies over 64 KiB and for denial recording)", value);
                text.Append(' ').Append(value);
            }
            text.Append('\n');
        }
        var path = Path.Combine(Path.GetTempPath(), $"nono-{Guid.NewGuid():N}.options");
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }
}
