using System.Xml;
using System.Xml.Linq;
using Microsoft.Build.Execution;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// The Sandbox* items as the repository wrote them, before MSBuild expanded them: what the task
/// receives cannot show a '*' that MSBuild turned into file names or into nothing, nor an item
/// whose properties were empty. Only the repository's own files are read (the project and the
/// imports outside the .NET installation and the package folders), and only those that mention
/// a Sandbox item.
/// </summary>
internal static class DeclaredItems
{
    private static readonly string[] Checked = ["SandboxRead", "SandboxWrite", "SandboxNetwork"];

    /// <summary>Logs an error for each SandboxNetwork with a wildcard and a warning for each item that expands to nothing. Returns false on errors.</summary>
    public static bool Check(TaskLoggingHelper log, string projectFile, ProjectInstance? project, BuildFileOrigin origin, IReadOnlyList<string> dotnetRoots)
    {
        var files = (project?.ImportPaths ?? []).Prepend(projectFile).Distinct(StringComparer.Ordinal)
            .Where(f => origin.Untrusted(f) is null && !dotnetRoots.Any(r => f.StartsWith(r, StringComparison.Ordinal)));
        var ok = true;
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            if (!text.Contains("Sandbox", StringComparison.Ordinal))
                continue;
            XDocument xml;
            try
            {
                xml = XDocument.Parse(text, LoadOptions.SetLineInfo);
            }
            catch (XmlException)
            {
                continue; // MSBuild reports its own files' syntax
            }
            foreach (var element in xml.Descendants().Where(e => Checked.Contains(e.Name.LocalName) && e.Parent?.Name.LocalName == "ItemGroup"
                && e.Parent.Parent?.Name.LocalName != "Target"))
            {
                if (element.Attribute("Include")?.Value is not { } include)
                    continue;
                var line = ((IXmlLineInfo)element).LineNumber;
                var column = ((IXmlLineInfo)element).LinePosition;
                var written = $"<{element.Name.LocalName} Include=\"{include}\" />";
                if (element.Name.LocalName == "SandboxNetwork" && NetworkEntry.Parse(include) is { Kind: NetworkEntryKind.Invalid, Problem: { } problem }
                    && (include.Contains('*') || include.Contains('?')))
                {
                    log.LogError(null, Diagnostics.BadNetwork, null, file, line, column, 0, 0, $"{written} is not supported: {problem}.");
                    ok = false;
                    continue;
                }
                var conditional = element.Attribute("Condition") is not null || element.Parent!.Attribute("Condition") is not null;
                if (!conditional && project is not null && include.Contains("$(", StringComparison.Ordinal)
                    && project.ExpandString(include).Split(';').All(string.IsNullOrWhiteSpace))
                {
                    log.LogWarning(null, Diagnostics.EmptyItem, null, file, line, column, 0, 0,
                        $"{written} expands to nothing and grants nothing; set the property it names, or remove the item.");
                }
            }
        }
        return ok;
    }
}
