namespace Nono.Build.Tasks;

/// <summary>The NONO diagnostic codes; every message says what to change.</summary>
internal static class Diagnostics
{
    /// <summary>The sandbox cannot be enforced here (platform, kernel, MSBuild runtime).</summary>
    public const string Unavailable = "NONO0001";

    /// <summary>nono-exec is missing from the package.</summary>
    public const string LauncherMissing = "NONO0002";

    /// <summary>A sandboxed Exec ran without a resolved policy for its project.</summary>
    public const string PolicyNotResolved = "NONO0003";

    /// <summary>Package content set a sandbox switch, item or output folder: ignored.</summary>
    public const string PackageSetting = "NONO0010";

    /// <summary>Package content registered an Exec or replaced the SDK's policy target: the build stops.</summary>
    public const string Tampered = "NONO0011";

    /// <summary>A git configuration file every step can read holds a credential.</summary>
    public const string GitCredential = "NONO0012";

    /// <summary>A SandboxRead/SandboxWrite path does not exist or cannot be used.</summary>
    public const string BadPath = "NONO1001";

    /// <summary>The kernel refused the policy when the step started.</summary>
    public const string PolicyRejected = "NONO1002";

    /// <summary>A SandboxNetwork entry has a form that is not supported.</summary>
    public const string BadNetwork = "NONO1003";

    /// <summary>A Sandbox* item expands to nothing: it grants nothing.</summary>
    public const string EmptyItem = "NONO1004";

    /// <summary>A PATH directory a step's commands come from cannot be allowed: a command there may resolve to another program inside.</summary>
    public const string PathEntry = "NONO1005";

    /// <summary>The sandbox denied a step an access (recorded with SandboxDiagnostics=true), with the item that allows it.</summary>
    public const string Denied = "NONO2001";

    /// <summary>SandboxMode=Audit: an access the policy would deny, with the item that allows it.</summary>
    public const string WouldDeny = "NONO2002";

    /// <summary>The egress proxy refused a step a host (not listed, or an address it never reaches), with the item that allows it.</summary>
    public const string EgressRefused = "NONO2005";

    /// <summary>SandboxMode=Audit is on: steps run unsandboxed.</summary>
    public const string Audit = "NONO2003";

    /// <summary>A step failed inside the sandbox: a denial is a possible cause.</summary>
    public const string StepFailed = "NONO3001";

    /// <summary>A failed step's output points at the network or a path the sandbox denies.</summary>
    public const string StepHint = "NONO3004";

    /// <summary>Audit found a step reading a secrets folder: no item is suggested.</summary>
    public const string SecretsFolder = "NONO2004";

    /// <summary>What a step left in its temp directory could not be deleted.</summary>
    public const string TempNotDeleted = "NONO3002";

    /// <summary>A step created or changed a file MSBuild reads back as its own state (obj/…/*.assets.cache, …).</summary>
    public const string StateChanged = "NONO3003";
}
