using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>Tells the user what the sandbox denied a step, and the item that would allow each.</summary>
internal static partial class DenialReport
{
    /// <summary>At most this many lines per step; the rest is counted.</summary>
    private const int Listed = 5;

    /// <summary>
    /// Enforce: errors if the step failed, messages if it got on without what it was denied.
    /// Audit: a warning each (the step ran unenforced). Denials that the same item would allow are
    /// one line.
    /// </summary>
    public static void Log(TaskLoggingHelper log, IReadOnlyList<SandboxDenial> denials, bool truncated, bool audit, bool failed)
    {
        var home = Environment.GetEnvironmentVariable("HOME")?.TrimEnd('/');
        var groups = denials
            .GroupBy(d => SandboxSuggestion.Text(d, home).Items)
            .ToList();
        foreach (var group in groups.Take(Listed))
        {
            var first = group.First();
            var others = group.Count() > 1 ? $" (and {group.Count() - 1} more like it)" : "";
            var secret = SandboxSuggestion.For(first, home).All(s => s.Secret is not null);
            var noneMay = SandboxSuggestion.Text(first, home).NoneMay;
            var text = audit
                ? $"the sandbox would deny {Describe(first)}{others} by {first.Executable} (pid {first.ProcessId}); {(noneMay ? "" : "to allow it, add ")}{group.Key}"
                : $"the sandbox denied {Describe(first)}{others} to {first.Executable} (pid {first.ProcessId}); {(noneMay ? "" : "if the step needs it, add ")}{group.Key}";
            if (audit)
                log.LogWarning(null, secret ? Diagnostics.SecretsFolder : Diagnostics.WouldDeny, null, null, 0, 0, 0, 0, text);
            else if (failed)
                log.LogError(null, Diagnostics.Denied, null, null, 0, 0, 0, 0, text);
            else
                log.LogMessage(MessageImportance.High, "{0}: {1} (the step succeeded without it)", Diagnostics.Denied, text);
        }
        var rest = groups.Skip(Listed).Sum(g => g.Count());
        if (rest > 0 || truncated)
            log.LogMessage(MessageImportance.High, "{0}: and {1}{2} more denials of this step{3}.",
                audit ? Diagnostics.WouldDeny : Diagnostics.Denied, rest, truncated ? "+" : "",
                audit ? "; every suggested item is in the suggested props file" : "");
    }
}
