using Microsoft.Build.Utilities;
using Nono.Egress;

namespace Nono.Build.Tasks;

/// <summary>
/// What the egress proxy recorded for one step, from its own record (no SandboxDiagnostics
/// needed): each refused host with the item that allows it, and in Audit each host contacted
/// that the policy would refuse.
/// </summary>
internal static class EgressReport
{
    /// <summary>Logs the grant's events; returns the items Audit suggests.</summary>
    public static IReadOnlyList<string> Log(TaskLoggingHelper log, EgressGrant grant, bool audit, bool failed)
    {
        var suggested = new List<string>();
        foreach (var e in grant.Events)
        {
            var authority = EgressHost.Authority(e.Host, e.Port);
            switch (e.Outcome)
            {
                case EgressOutcome.Contacted when audit && !e.Listed:
                    suggested.Add(e.Item);
                    log.LogWarning(null, Diagnostics.WouldDeny, null, null, 0, 0, 0, 0,
                        $"SandboxMode=Audit: the step reached {authority} through the egress proxy, which the policy would refuse; if it needs it, add <SandboxNetwork Include=\"{e.Item}\" />.");
                    break;
                case EgressOutcome.NotListed:
                    Refused(log, failed, $"the egress proxy refused the step {authority}: it is not among the step's SandboxNetwork items. If the step needs it, add <SandboxNetwork Include=\"{e.Item}\" />.");
                    break;
                case EgressOutcome.AddressRefused:
                    Refused(log, failed, $"the egress proxy refused the step {authority}: {e.Detail}."
                        + (e.Detail.Contains(".DOMAIN", StringComparison.Ordinal) ? $" If the step needs it, add <SandboxNetwork Include=\"{e.Item}\" />." : ""));
                    break;
                case EgressOutcome.Unreachable:
                    log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "{0}: the egress proxy could not reach {1} for the step: {2}.", Diagnostics.EgressRefused, authority, e.Detail);
                    break;
            }
        }
        if (grant.Truncated)
            log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "{0}: the step asked the egress proxy for more than {1} hosts; the rest are not listed.", Diagnostics.EgressRefused, EgressGrant.MaxEvents);
        return suggested;
    }

    /// <summary>An error where the step failed (the refusal is a likely cause), else a warning: the step got by without it.</summary>
    private static void Refused(TaskLoggingHelper log, bool failed, string message)
    {
        if (failed)
            log.LogError(null, Diagnostics.EgressRefused, null, null, 0, 0, 0, 0, message);
        else
            log.LogWarning(null, Diagnostics.EgressRefused, null, null, 0, 0, 0, 0, message);
    }
}
