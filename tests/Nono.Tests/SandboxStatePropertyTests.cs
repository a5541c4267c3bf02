using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;

namespace Nono.Tests;

/// <summary>
/// Property tests of the SandboxState JSON reader (CsCheck): valid states round-trip losslessly,
/// and any mutation of a document either parses or fails with one clear ConfigParse line: never
/// another exception, never a hang. A failure prints the seed that reproduces it.
/// </summary>
public sealed partial class SandboxStatePropertyTests
{
    /// <summary>Far above what one document takes; only a hang gets near it.</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);

    // ---- Valid values (what SandboxState.Validate accepts) ----

    /// <summary>Well-formed UTF-16, mostly path-like: ASCII, JSON's special characters, control
    /// characters other than NUL, BMP and astral characters.</summary>
    private static readonly Gen<string> Piece = Gen.Frequency<string>(
        (8, Gen.Char["abcXYZ019._- "].Select(c => c.ToString())),
        (2, Gen.Char["\"\\/\t\n\r\b\f\u0001\u001f\u007f\u2028"].Select(c => c.ToString())),
        (1, Gen.Char['\u0080', '\ud7ff'].Select(c => c.ToString())),
        (1, Gen.Char['\ue000', '\uffff'].Select(c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> Segment = Piece.Array[1, 6].Select(string.Concat);

    private static readonly Gen<string> AbsolutePath = Segment.Array[0, 4].Select(s => "/" + string.Join('/', s));

    private static readonly Gen<string> AnyPath = Gen.OneOf<string>(AbsolutePath, Segment, Gen.Const("~/x"), Gen.Const("../up"));

    private static readonly Gen<AccessMode> Access = Gen.Int[1, 15].Select(i => (AccessMode)i);

    private static readonly Gen<FsCapability> Grant = Gen.Select(AnyPath, AbsolutePath, Access, Gen.Bool,
        Gen.Enum<CapabilitySource>(), (original, resolved, access, isFile, source) =>
            new FsCapability(original, resolved, access, isFile, source));

    private static readonly Gen<int> Port = Gen.Frequency<int>((3, Gen.Int[1, 65535]), (1, Gen.OneOf(1, 65535)));

    private static readonly Gen<CapabilitySet> Capabilities = Gen.Select(Grant.Array[0, 6], Gen.Enum<NetworkMode>(),
        Port.Array[0, 4], Port.Array[0, 4], Gen.Bool, (grants, mode, connect, bind, unix) =>
        {
            var caps = new CapabilitySet().SetNetworkMode(mode);
            foreach (var grant in grants)
                caps.AddResolved(grant);
            foreach (var port in connect)
                caps.AllowTcpConnect(port);
            foreach (var port in bind)
                caps.AllowTcpBind(port);
            return unix ? caps.AllowUnixSockets() : caps;
        });

    /// <summary>States as a document may hold them: ports in any order, repeated.</summary>
    private static readonly Gen<SandboxState> State = Gen.Select(Grant.Array[0, 6], Gen.Enum<NetworkMode>(),
        Port.Array[0, 4], Port.Array[0, 4], Gen.Bool, (grants, mode, connect, bind, unix) => new SandboxState
        {
            FileSystem = [.. grants.Select(g => new FsGrantState(g.OriginalPath, g.ResolvedPath, g.Access, g.IsFile, g.Source))],
            Network = new NetworkState { Mode = mode, TcpConnect = connect, TcpBind = bind },
            UnixSockets = unix,
        });

    [Fact]
    public void ValidCapabilitySets_RoundTripLosslessly() =>
        Capabilities.Sample(caps =>
        {
            var json = SandboxState.From(caps).ToJson();
            var back = SandboxState.FromJson(json).ToCapabilitySet();

            Assert.Equal(caps.FileSystem, back.FileSystem);
            Assert.Equal(caps.NetworkMode, back.NetworkMode);
            Assert.Equal(caps.TcpConnectPorts, back.TcpConnectPorts);
            Assert.Equal(caps.TcpBindPorts, back.TcpBindPorts);
            Assert.Equal(caps.UnixSocketsAllowed, back.UnixSocketsAllowed);
            Assert.Equal(json, SandboxState.From(back).ToJson());
        }, iter: 300, threads: 1, print: caps => SandboxState.From(caps).ToJson());

    [Fact]
    public void ValidStates_RoundTripLosslessly_InAnyLayoutAndPropertyOrder() =>
        Gen.Select(State, Gen.Int).Sample((state, shuffleSeed) =>
        {
            var json = state.ToJson();
            // The same document compact, and with every object's properties reordered.
            var compact = JsonNode.Parse(json)!.ToJsonString();
            var shuffled = Shuffle(JsonNode.Parse(json)!, new Random(shuffleSeed)).ToJsonString();

            foreach (var text in new[] { json, compact, shuffled })
            {
                var back = SandboxState.FromJson(text);
                Assert.Equal(state.SchemaVersion, back.SchemaVersion);
                Assert.Equal(state.FileSystem, back.FileSystem);
                Assert.Equal(state.Network.Mode, back.Network.Mode);
                Assert.Equal(state.Network.TcpConnect, back.Network.TcpConnect);
                Assert.Equal(state.Network.TcpBind, back.Network.TcpBind);
                Assert.Equal(state.UnixSockets, back.UnixSockets);
                Assert.Equal(json, back.ToJson());
            }
        }, iter: 300, threads: 1, print: t => t.Item1.ToJson());

    private static JsonNode Shuffle(JsonNode node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.ToList().OrderBy(_ => random.Next())
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Shuffle(p.Value.DeepClone(), random)))),
        JsonArray a => new JsonArray([.. a.Select(v => v is null ? null : Shuffle(v.DeepClone(), random))]),
        _ => node.DeepClone(),
    };

    // ---- Mutated documents ----

    private static readonly Gen<string> Document = Gen.Select(State, Gen.Bool,
        (state, indented) => indented ? state.ToJson() : JsonNode.Parse(state.ToJson())!.ToJsonString());

    /// <summary>Any UTF-16 code unit, lone surrogates included (Gen.Char keeps to a narrower range).</summary>
    private static readonly Gen<char> AnyChar = Gen.Frequency<char>((3, Gen.Char['\0', '\uffff']), (1, Gen.Char['\ud800', '\udfff']));

    /// <summary>Any text: random characters (lone surrogates included), and JSON's own.</summary>
    private static readonly Gen<string> RandomText = Gen.OneOf<string>(
        Gen.String,
        AnyChar.Array[0, 20].Select(c => new string(c)),
        Gen.Char["{}[]\":,0123456789.eE+-tfnrsu\\ \n"].Array[0, 40].Select(c => new string(c)),
        Gen.Byte.Array[0, 60].Select(b => Encoding.UTF8.GetString(b)));

    private static readonly Gen<string> Key = Gen.OneOf<string>(
        Gen.OneOf("schemaVersion", "fileSystem", "network", "unixSockets", "originalPath", "resolvedPath", "access",
            "isFile", "source", "mode", "tcpConnect", "tcpBind", "SchemaVersion", "", "$type", "$ref", "$id", "a\nb"),
        Gen.String[0, 12]);

    private static readonly Gen<string> Scalar = Gen.OneOf<string>(
        Gen.OneOf("null", "true", "false", "0", "-0", "1", "-1", "65535", "65536", "2147483648",
            "-9223372036854775809", "1.0", "1e400", "-1e-400", "0x10", "\"\"", "\"/\"", "\"read\"",
            "\"read, execute\"", "\"Read\"", "\"readWrite\"", "\"read, write, execute\"", "\"write,read\"",
            "\"7\"", "\"none\"", "\"allowAll\"", "\"proxyOnly\"", "\"blocked\"", "\"user\"", "\"state\"",
            "\"\\u0000\"", "\"\\ud800\"", "\"/a\\u0000b\""),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.String[0, 10].Select(s => JsonSerializer.Serialize(s)));

    /// <summary>A JSON value (or something close to one) to put where a value was.</summary>
    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency<string>(
            (6, Scalar),
            (1, Value(depth - 1).Array[0, 3].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Key, Value(depth - 1)).Array[0, 3]
                .Select(members => "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Item1) + ":" + m.Item2)) + "}")),
            (1, Gen.Int[1, 3000].Select(n => new string('[', n) + new string(']', n))),
            (1, RandomText));

    private static readonly Gen<string> Mutated = Gen.OneOf<string>(
        // Truncated anywhere.
        Gen.Select(Document, Gen.Int.Positive, (doc, at) => doc[..(at % (doc.Length + 1))]),
        // A character replaced, inserted or deleted.
        Gen.Select(Document, Gen.Int.Positive, AnyChar, (doc, at, c) => doc.Remove(at % doc.Length, 1).Insert(at % doc.Length, c.ToString())),
        Gen.Select(Document, Gen.Int.Positive, Gen.Char["{}[]\",:\\0-e"], (doc, at, c) => doc.Insert(at % (doc.Length + 1), c.ToString())),
        Gen.Select(Document, Gen.Int.Positive, (doc, at) => doc.Remove(at % doc.Length, 1)),
        // A bit flipped in the UTF-8 bytes (read back as UTF-8, invalid sequences replaced).
        Gen.Select(Document, Gen.Int.Positive, Gen.Int[0, 7], (doc, at, bit) =>
        {
            var bytes = Encoding.UTF8.GetBytes(doc);
            bytes[at % bytes.Length] ^= (byte)(1 << bit);
            return Encoding.UTF8.GetString(bytes);
        }),
        // A value anywhere in the tree replaced by another value, or by anything.
        Gen.Select(Document, Gen.Int.Positive, Value(2), ReplaceValue),
        // A member removed, renamed, added, or given twice.
        Gen.Select(Document, Gen.Int.Positive, Key, (doc, at, key) => EditMember(doc, at, key, remove: true)),
        Gen.Select(Document, Gen.Int.Positive, Key, (doc, at, key) => EditMember(doc, at, key, remove: false)),
        Gen.Select(Document, Gen.Int.Positive, Key, Value(1), (doc, at, key, value) => AddMember(doc, at, key, value)),
        // Not a state at all.
        Value(3),
        RandomText);

    private const string Placeholder = "\u0001placeholder\u0001";

    /// <summary>Every node of the tree with its parent and place, the root first.</summary>
    private static List<(JsonNode? Parent, string? Key, int Index)> Places(JsonNode root)
    {
        var places = new List<(JsonNode?, string?, int)> { (null, null, -1) };
        void Walk(JsonNode node)
        {
            if (node is JsonObject o)
            {
                foreach (var (key, value) in o.ToList())
                {
                    places.Add((o, key, -1));
                    if (value is not null)
                        Walk(value);
                }
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                {
                    places.Add((a, null, i));
                    if (a[i] is { } item)
                        Walk(item);
                }
            }
        }
        Walk(root);
        return places;
    }

    private static string ReplaceValue(string doc, int at, string value)
    {
        var root = JsonNode.Parse(doc)!;
        var places = Places(root);
        var (parent, key, index) = places[at % places.Count];
        if (parent is null)
            return value;
        if (parent is JsonObject o)
            o[key!] = Placeholder;
        else
            parent.AsArray()[index] = Placeholder;
        return root.ToJsonString().Replace(JsonSerializer.Serialize(Placeholder), value, StringComparison.Ordinal);
    }

    private static string EditMember(string doc, int at, string newKey, bool remove)
    {
        var root = JsonNode.Parse(doc)!;
        var members = Places(root).Where(p => p.Key is not null).ToList();
        var (parent, key, _) = members[at % members.Count];
        var o = parent!.AsObject();
        var value = o[key!]?.DeepClone();
        o.Remove(key!);
        if (!remove && !o.ContainsKey(newKey))
            o[newKey] = value;
        return root.ToJsonString();
    }

    /// <summary>A member added to some object as text, so it may repeat a name already there.</summary>
    private static string AddMember(string doc, int at, string key, string value)
    {
        var objects = Regex.Matches(doc, @"\{").Select(m => m.Index).ToList();
        var brace = objects[at % objects.Count];
        return doc.Insert(brace + 1, JsonSerializer.Serialize(key) + ":" + value + ",");
    }

    [Fact]
    public void MutatedDocuments_ParseOrFailWithOneClearConfigParseLine() =>
        Mutated.Sample(ParsesOrFailsClearly, iter: 2000, threads: 1, print: Escaped);

    /// <summary>Inputs that once failed the properties above.</summary>
    public static TheoryData<string> Regressions => new()
    {
        // The parser's message quoted a line break: "'falJe\n}' is an invalid JSON literal".
        "{\n  \"schemaVersion\": 1,\n  \"fileSystem\": [],\n  \"network\": {\n    \"mode\": \"proxyOnly\",\n    \"tcpConnect\": [],\n    \"tcpBind\": []\n  },\n  \"unixSockets\": falJe\n}",
        // A lone surrogate (not escaped) made the serializer throw ArgumentException.
        "{\"schemaVersion\":1,\"fileSystem\":[{\"originalPath\":\"\ud800\",\"resolvedPath\":\"/\",\"access\":\"read\",\"isFile\":false,\"source\":\"user\"}],\"network\":{\"mode\":\"blocked\",\"tcpConnect\":[],\"tcpBind\":[]},\"unixSockets\":false}",
        "\udc00",
    };

    // Enumerated at run time: test discovery would serialise a lone surrogate into U+FFFD.
    [Theory]
    [MemberData(nameof(Regressions), DisableDiscoveryEnumeration = true)]
    public void Regression_ParsesOrFailsClearly(string json) => ParsesOrFailsClearly(json);

    // ---- The property ----

    /// <summary>"malformed sandbox state[ at $.path]: what", no line break or other control character.</summary>
    [GeneratedRegex(@"^malformed sandbox state( at \$[^\p{Cc}\u2028\u2029]*?)?: [^\p{Cc}\u2028\u2029\s][^\p{Cc}\u2028\u2029]*$")]
    private static partial Regex OneClearLine();

    /// <summary>
    /// FromJson either returns a state that is valid (it serialises, reads back the same and
    /// converts to a capability set) or throws NonoException(ConfigParse) with one line of text
    /// naming what is wrong; within <see cref="CaseLimit"/>.
    /// </summary>
    private static void ParsesOrFailsClearly(string json)
    {
        var parse = Task.Run(() => Outcome(json));
        if (!parse.Wait(CaseLimit))
            throw new TimeoutException($"FromJson did not return within {CaseLimit}: {Escaped(json)}");
        var (state, error) = parse.Result;
        if (state is not null)
        {
            var again = state.ToJson();
            Assert.Equal(again, SandboxState.FromJson(again).ToJson());
            _ = state.ToCapabilitySet().ToLauncherArguments();
            return;
        }
        if (error is not NonoException nono)
            throw new Xunit.Sdk.XunitException($"FromJson threw {error!.GetType()}, not NonoException, for {Escaped(json)}: {error}");
        Assert.True(nono.Kind == NonoErrorKind.ConfigParse, $"kind {nono.Kind} for {Escaped(json)}: {nono.Message}");
        Assert.True(OneClearLine().IsMatch(nono.Message),
            $"not one clear line: {Escaped(nono.Message)} for {Escaped(json)}");
    }

    private static (SandboxState?, Exception?) Outcome(string json)
    {
        try
        {
            return (SandboxState.FromJson(json), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    /// <summary>The text as a C# string literal, lone surrogates shown (JSON would print U+FFFD).</summary>
    private static string Escaped(string text)
    {
        var shown = new StringBuilder("\"");
        foreach (var c in text.Length > 2000 ? text[..2000] : text)
        {
            shown.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ when c < ' ' || c > '~' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return shown.Append(text.Length > 2000 ? "\"…" : "\"").ToString();
    }
}
