using System.Text;

namespace Nono.Build.Tasks;

/// <summary>obj/sandbox.suggested.props: the items SandboxMode=Audit found a project's steps need.</summary>
internal static class SuggestedProps
{
    /// <summary>Writes the file whole (a temp file renamed over it: never half written).</summary>
    public static void Write(string path, IReadOnlyList<SandboxSuggestion> suggestions)
    {
        var text = new StringBuilder();
        text.AppendLine("<Project>");
        text.AppendLine("  <!-- Written by Nono.Build.Sdk (SandboxMode=Audit): the items that would allow what this project's");
        text.AppendLine("       build steps did and the sandbox would deny. Review each, then import this file or copy the");
        text.AppendLine("       items into the project, and remove SandboxMode to enforce. -->");
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
