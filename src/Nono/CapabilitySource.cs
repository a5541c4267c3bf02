namespace Nono;

/// <summary>Where a filesystem grant came from, for summaries and diagnostics.</summary>
public enum CapabilitySource
{
    /// <summary>Asked for by the caller.</summary>
    User,

    /// <summary>A default computed by a tool (for example the build SDK's toolchain paths).</summary>
    System,

    /// <summary>Read back from a <see cref="SandboxState"/> document.</summary>
    State,
}
