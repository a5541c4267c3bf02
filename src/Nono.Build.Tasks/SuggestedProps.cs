using System.Text;

namespace Nono.Build.Tasks;

/// <summary>
/// obj/sandbox.suggested.props: the items SandboxMode=Audit found a project's steps need (and, from
/// dotnet nono, which links this file, sandbox.suggested.props in the repository: the whole build's).
/// </summary>
internal static class SuggestedProps
{
    private static readonly string[] StepsComment =
    [
        "  <!-- Written by Nono.Build.Sdk (SandboxMode=Audit): the items that would allow what this project's",
        "       build steps did and the sandbox would deny. Review each, then import this file or copy the",
        "       items into the project, and remove SandboxMode to enforce. -->",
    ];

    /// <summary>Writes the file whole (a temp file renamed over it: never half written), with <paramref name="comment"/> (indented XML comment lines) or the SDK's own.</summary>
    public static void Write(string path, IReadOnlyList<SandboxSuggestion> suggestions, IReadOnlyList<string>? comment = null)
    {
        var text = new StringBuilder();
        text.AppendLine("<Project>");
        foreach (var line in comment ?? StepsComment)
            text.AppendLine(line);
        text.AppendLine("  <ItemGroup>");
        foreach (var s in suggestions)
            text.Append("    ").AppendLine(s.PropsXml);
        text.AppendLine("  </ItemGroup>");
        text.AppendLine("</Project>");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, path, overwrite: true);
    }
}
