using System.Globalization;
using System.Text;

namespace Nono;

/// <summary>How a sandboxed run records what the sandbox denies (see <see cref="SandboxedProcess.Start(CapabilitySet, System.Diagnostics.ProcessStartInfo, SandboxRecording)"/>).</summary>
public enum SandboxRecording
{
    /// <summary>Nothing is recorded; the run is exactly <see cref="SandboxedProcess.Start(CapabilitySet, System.Diagnostics.ProcessStartInfo)"/>.</summary>
    None,

    /// <summary>The sandbox is enforced, and every access it denies is recorded (<c>nono-exec --report</c>).</summary>
    Denials,

    /// <summary>
    /// Nothing of the policy is enforced (no_new_privs and the capability drop still are); every access
    /// the policy would deny is recorded and allowed (<c>nono-exec --audit</c>).
    /// </summary>
    Audit,
}

/// <summary>The kind of access a <see cref="SandboxDenial"/> was.</summary>
public enum SandboxOperation
{
    /// <summary>An operation this version does not know (see <see cref="SandboxDenial.OperationName"/>).</summary>
    Other,

    /// <summary>Opening a file for reading, or listing a directory.</summary>
    Read,

    /// <summary>Opening a file for writing.</summary>
    Write,

    /// <summary>Creating a file, directory, symlink, FIFO, socket or device node.</summary>
    Create,

    /// <summary>Deleting a file or directory.</summary>
    Delete,

    /// <summary>Renaming or moving; <see cref="SandboxDenial.Destination"/> is the new path.</summary>
    Rename,

    /// <summary>Making a hard link; <see cref="SandboxDenial.Destination"/> is the new path.</summary>
    Link,

    /// <summary>Running a program.</summary>
    Execute,

    /// <summary>Truncating a file.</summary>
    Truncate,

    /// <summary>A TCP connection; the target is <c>address:port</c>.</summary>
    Connect,

    /// <summary>Binding a TCP port; the target is <c>address:port</c>.</summary>
    Bind,

    /// <summary>Creating a socket of a refused family or type; the target is e.g. <c>AF_INET SOCK_DGRAM</c>.</summary>
    Socket,
}

/// <summary>One access the sandbox denied (or, in <see cref="SandboxRecording.Audit"/>, would have denied).</summary>
/// <param name="Operation">The kind of access.</param>
/// <param name="OperationName">The launcher's name for it: <c>read</c>, <c>write</c>, <c>create</c>, <c>delete</c>,
/// <c>rename</c>, <c>link</c>, <c>execute</c>, <c>truncate</c>, <c>connect</c>, <c>bind</c>, <c>socket</c>, <c>listen</c>,
/// <c>ioctl</c>, <c>io_uring</c>, <c>syscall</c>.</param>
/// <param name="Target">The absolute path (symlinks resolved), <c>address:port</c>, or socket family and type.</param>
/// <param name="Destination">For <see cref="SandboxOperation.Rename"/> and <see cref="SandboxOperation.Link"/>, the new path; otherwise null.</param>
/// <param name="ProcessId">The first process that was denied this access.</param>
/// <param name="Executable">That process's program, as /proc/&lt;pid&gt;/exe named it at the time.</param>
/// <param name="Error">The error the sandbox returned (or would have returned): <c>EACCES</c>, <c>EPERM</c>, <c>EXDEV</c>, <c>ENOSYS</c>.</param>
public sealed record SandboxDenial(
    SandboxOperation Operation,
    string OperationName,
    string Target,
    string? Destination,
    int ProcessId,
    string Executable,
    string Error)
{
    /// <summary>
    /// That process's command line at the time (arguments separated by spaces, cut at 1024 bytes),
    /// which tells apart the programs one host runs (<c>dotnet</c>: MSBuild, the compiler server, a
    /// test host); null if the report does not have it.
    /// </summary>
    public string? CommandLine { get; init; }

    /// <summary>When the access was denied; null if the report does not say.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The thread that was denied (its Linux tid); null if the report does not say.</summary>
    public int? ThreadId { get; init; }

    /// <summary>One line: operation, target (→ destination), process and error.</summary>
    public override string ToString() =>
        $"{OperationName} {Target}{(Destination is null ? "" : " -> " + Destination)} (pid {ProcessId.ToString(CultureInfo.InvariantCulture)} {Executable}: {Error})";

    /// <summary>
    /// Reads a report that nono-exec wrote with <c>--report FILE</c>, for callers that run nono-exec
    /// themselves (<see cref="CapabilitySet.ToLauncherArguments"/>). A missing file has no denials.
    /// </summary>
    /// <returns>The denials in the order they were written, and whether the launcher stopped at its limit.</returns>
    public static (IReadOnlyList<SandboxDenial> Denials, bool Truncated) ReadReport(string path)
    {
        PathResolver.CheckArgument(path, nameof(path));
        var (denials, truncated) = ParseReport(File.Exists(path) ? File.ReadAllText(path) : "");
        return (denials, truncated);
    }

    /// <summary>
    /// Parses a nono-exec report (docs/nono-exec.md): one denial per line, tab-separated, with
    /// <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c> and <c>\xHH</c> escapes, "-" for an empty field.
    /// Returns the denials, and whether the launcher stopped recording at its limit.
    /// </summary>
    internal static (List<SandboxDenial> Denials, bool Truncated) ParseReport(string text)
    {
        var denials = new List<SandboxDenial>();
        var truncated = false;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split('\t');
            if (fields.Length < 5)
                continue; // an empty line, or one cut short
            if (fields[0] == "truncated")
            {
                truncated = true;
                continue;
            }
            if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            // Fields 6 to 9: the destination ("-" where the operation has none), the command line,
            // the time (milliseconds since the epoch) and the thread.
            var destination = fields.Length > 5 ? Unescape(fields[5]) : "";
            denials.Add(new SandboxDenial(OperationOf(fields[0]), fields[0], Unescape(fields[1]),
                destination.Length > 0 ? destination : null, pid, Unescape(fields[3]), fields[4])
            {
                CommandLine = fields.Length > 6 && fields[6] != "-" ? Unescape(fields[6]) : null,
                Time = fields.Length > 7 && long.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                ThreadId = fields.Length > 8 && int.TryParse(fields[8], NumberStyles.None, CultureInfo.InvariantCulture, out var tid) ? tid : null,
            });
        }
        return (denials, truncated);
    }

    private static SandboxOperation OperationOf(string name) => name switch
    {
        "read" => SandboxOperation.Read,
        "write" => SandboxOperation.Write,
        "create" => SandboxOperation.Create,
        "delete" => SandboxOperation.Delete,
        "rename" => SandboxOperation.Rename,
        "link" => SandboxOperation.Link,
        "execute" => SandboxOperation.Execute,
        "truncate" => SandboxOperation.Truncate,
        "connect" => SandboxOperation.Connect,
        "bind" => SandboxOperation.Bind,
        "socket" => SandboxOperation.Socket,
        _ => SandboxOperation.Other,
    };

    /// <summary>Undoes the report's escaping. Bytes that are not UTF-8 become U+FFFD.</summary>
    internal static string Unescape(string field)
    {
        if (field == "-")
            return "";
        if (!field.Contains('\\'))
            return field;
        var bytes = new List<byte>(field.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c == '\\' && i + 1 < field.Length)
            {
                var next = field[++i];
                if (next == 'x' && i + 2 < field.Length &&
                    byte.TryParse(field.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    bytes.Add(b);
                    i += 2;
                    continue;
                }
                bytes.Add(next switch { 't' => (byte)'\t', 'n' => (byte)'\n', 'r' => (byte)'\r', _ => (byte)next });
                continue;
            }
            if (char.IsSurrogate(c) && i + 1 < field.Length)
            {
                var n = Encoding.UTF8.GetBytes(field.AsSpan(i, 2), utf8);
                bytes.AddRange(utf8[..n]);
                i++;
                continue;
            }
            var count = Encoding.UTF8.GetBytes(field.AsSpan(i, 1), utf8);
            bytes.AddRange(utf8[..count]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
