using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nono;

/// <summary>
/// A lossless JSON snapshot of a <see cref="CapabilitySet"/>: every grant with both paths, rights
/// (execute included) and source, the network mode, TCP ports and Unix sockets, under a schema version.
/// </summary>
public sealed class SandboxState
{
    /// <summary>The schema version this library writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The document's schema version.</summary>
    [JsonRequired]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The filesystem grants.</summary>
    [JsonRequired]
    public IReadOnlyList<FsGrantState> FileSystem { get; init; } = [];

    /// <summary>The network policy.</summary>
    [JsonRequired]
    public NetworkState Network { get; init; } = new();

    /// <summary>Whether Unix sockets are allowed.</summary>
    [JsonRequired]
    public bool UnixSockets { get; init; }

    /// <summary>A snapshot of <paramref name="capabilities"/>.</summary>
    public static SandboxState From(CapabilitySet capabilities)
    {
        if (capabilities is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "capabilities is null");
        return new SandboxState
        {
            FileSystem = capabilities.FileSystem
                .Select(c => new FsGrantState(c.OriginalPath, c.ResolvedPath, c.Access, c.IsFile, c.Source))
                .ToList(),
            Network = new NetworkState
            {
                Mode = capabilities.NetworkMode,
                TcpConnect = [.. capabilities.TcpConnectPorts],
                TcpBind = [.. capabilities.TcpBindPorts],
            },
            UnixSockets = capabilities.UnixSocketsAllowed,
        };
    }

    /// <summary>The state as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SandboxStateJson.Default.SandboxState);

    /// <summary>Reads a state document.</summary>
    /// <exception cref="NonoException">ConfigParse, naming the field at fault.</exception>
    public static SandboxState FromJson(string json)
    {
        if (json is null)
            throw new NonoException(NonoErrorKind.InvalidArgument, "json is null");
        // The serializer cannot transcode a lone surrogate to UTF-8 and throws ArgumentException.
        if (FirstLoneSurrogate(json) is var bad and >= 0)
            throw new NonoException(NonoErrorKind.ConfigParse, $"malformed sandbox state: not valid UTF-16 text (a lone surrogate at character {bad})");
        SandboxState? state;
        try
        {
            state = JsonSerializer.Deserialize(json, SandboxStateJson.Default.SandboxState);
        }
        catch (JsonException e)
        {
            var at = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path}";
            throw new NonoException(NonoErrorKind.ConfigParse, OneLine($"malformed sandbox state{at}: {FirstSentence(e.Message)}"), inner: e);
        }
        if (state is null)
            throw new NonoException(NonoErrorKind.ConfigParse, "malformed sandbox state: the document is null");
        state.Validate();
        return state;
    }

    private static int FirstLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return i;
        }
        return -1;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    /// <summary>
    /// The message as one line: the parser quotes the offending text, which may hold line breaks
    /// and other control characters; they are shown escaped, as JSON writes them.
    /// </summary>
    private static string OneLine(string message)
    {
        if (!message.Any(IsBreaking))
            return message;
        var text = new System.Text.StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when IsBreaking(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    private static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private void Validate()
    {
        if (SchemaVersion != CurrentSchemaVersion)
            Fail("$.schemaVersion", $"unsupported schema version {SchemaVersion} (this library reads {CurrentSchemaVersion})");
        if (FileSystem is null)
            Fail("$.fileSystem", "must be an array");
        if (Network is null)
            Fail("$.network", "must be an object");
        for (var i = 0; i < FileSystem!.Count; i++)
        {
            var g = FileSystem[i];
            var at = $"$.fileSystem[{i}]";
            if (g is null)
                Fail(at, "must be an object");
            CheckPath(g!.OriginalPath, at + ".originalPath");
            CheckPath(g.ResolvedPath, at + ".resolvedPath");
            if (!g.ResolvedPath.StartsWith('/'))
                Fail(at + ".resolvedPath", "must be absolute");
            if (g.Access == AccessMode.None || (g.Access & ~(AccessMode.ReadWrite | AccessMode.Execute | AccessMode.CreateSymlink)) != 0)
                Fail(at + ".access", $"invalid access '{g.Access}'");
            if (!Enum.IsDefined(g.Source))
                Fail(at + ".source", $"invalid source '{g.Source}'");
        }
        if (!Enum.IsDefined(Network!.Mode))
            Fail("$.network.mode", $"invalid mode '{Network.Mode}'");
        CheckPorts(Network.TcpConnect, "$.network.tcpConnect");
        CheckPorts(Network.TcpBind, "$.network.tcpBind");
    }

    private static void CheckPath(string? path, string at)
    {
        if (string.IsNullOrEmpty(path))
            Fail(at, "must be a non-empty string");
        if (path!.Contains('\0'))
            Fail(at, "contains a NUL character");
    }

    private static void CheckPorts(IReadOnlyList<int>? ports, string at)
    {
        if (ports is null)
            Fail(at, "must be an array");
        for (var i = 0; i < ports!.Count; i++)
            if (ports[i] is < 1 or > 65535)
                Fail($"{at}[{i}]", $"invalid TCP port {ports[i]} (expected 1-65535)");
    }

    private static void Fail(string at, string what) =>
        throw new NonoException(NonoErrorKind.ConfigParse, $"malformed sandbox state at {at}: {what}");

    /// <summary>The capability set this state describes. Paths are taken as recorded, not resolved again.</summary>
    public CapabilitySet ToCapabilitySet()
    {
        var caps = new CapabilitySet();
        foreach (var g in FileSystem)
            caps.AddResolved(new FsCapability(g.OriginalPath, g.ResolvedPath, g.Access, g.IsFile, g.Source));
        caps.SetNetworkMode(Network.Mode);
        foreach (var port in Network.TcpConnect)
            caps.AllowTcpConnect(port);
        foreach (var port in Network.TcpBind)
            caps.AllowTcpBind(port);
        if (UnixSockets)
            caps.AllowUnixSockets();
        return caps;
    }
}

/// <summary>One filesystem grant in a <see cref="SandboxState"/>.</summary>
public sealed record FsGrantState(
    [property: JsonRequired] string OriginalPath,
    [property: JsonRequired] string ResolvedPath,
    [property: JsonRequired] AccessMode Access,
    [property: JsonRequired] bool IsFile,
    [property: JsonRequired] CapabilitySource Source);

/// <summary>The network policy in a <see cref="SandboxState"/>.</summary>
public sealed class NetworkState
{
    /// <summary>The network mode.</summary>
    [JsonRequired]
    public NetworkMode Mode { get; init; }

    /// <summary>TCP ports that may be connected to.</summary>
    [JsonRequired]
    public IReadOnlyList<int> TcpConnect { get; init; } = [];

    /// <summary>TCP ports that may be bound.</summary>
    [JsonRequired]
    public IReadOnlyList<int> TcpBind { get; init; } = [];
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(StrictEnumConverter<AccessMode>), typeof(StrictEnumConverter<NetworkMode>), typeof(StrictEnumConverter<CapabilitySource>)])]
[JsonSerializable(typeof(SandboxState))]
internal sealed partial class SandboxStateJson : JsonSerializerContext;

/// <summary>Enums as camelCase names only: a number is a type error, not a silent cast.</summary>
internal sealed class StrictEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where T : struct, Enum;
