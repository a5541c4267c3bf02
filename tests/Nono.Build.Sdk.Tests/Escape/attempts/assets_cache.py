"""Not an attempt: a helper of msbuild-state.py and LeftBehindControlTests. Rewrites a .NET SDK
assets cache (obj/<cfg>/<tfm>/<project>.assets.cache, ResolvePackageAssets' format 12: header,
item groups in a fixed order, metadata string table) to add items, keeping the settings hash, so
that the next build takes it as up to date and gives the items to its targets."""
import struct

GROUPS = ["Analyzers", "ApphostsForShimRuntimeIdentifiers", "CompileTimeAssemblies", "ContentFilesToPreprocess",
          "DebugSymbolsFiles", "FrameworkAssemblies", "FrameworkReferences", "NativeLibraries", "PackageDependencies",
          "PackageDependenciesDesignTime", "PackageFolders", "ReferenceDocumentationFiles", "ResourceAssemblies",
          "RuntimeAssemblies", "RuntimeTargets", "TransitiveProjectReferences", "LogMessages"]
HEADER = 4 + 4 + 32  # signature, version, SHA-256 of the settings


def _string(data):
    data = data.encode()
    n, out = len(data), bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out) + data


def _read_string(b, at):
    n, shift = 0, 0
    while True:
        byte = b[at]
        at += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return at + n


def add_item(path, group, item_spec, metadata=None):
    """Adds one item, with metadata {key: value}, to the named item group."""
    b = bytearray(open(path, "rb").read())
    sig, version = struct.unpack_from("<ii", b, 0)
    if sig != 0x41474B50 or version != 12:
        raise OSError(0, f"not an assets cache of format 12: {path}")
    table, = struct.unpack_from("<i", b, HEADER)
    count_at = table
    strings, = struct.unpack_from("<i", b, count_at)
    new_strings = []
    indices = []
    for key, value in (metadata or {}).items():
        for s in (key, value):
            indices.append(strings + len(new_strings))
            new_strings.append(s)
    at = HEADER + 4
    for name in GROUPS:
        if name == group:
            break
        items, = struct.unpack_from("<i", b, at)
        at += 4
        for _ in range(items):
            at = _read_string(b, at)
            pairs, = struct.unpack_from("<i", b, at)
            at += 4 + 8 * pairs
    items, = struct.unpack_from("<i", b, at)
    item = _string(item_spec) + struct.pack("<i", len(indices) // 2) + b"".join(struct.pack("<i", i) for i in indices)
    struct.pack_into("<i", b, at, items + 1)
    b[at + 4:at + 4] = item
    table += len(item)
    struct.pack_into("<i", b, HEADER, table)
    struct.pack_into("<i", b, table, strings + len(new_strings))
    b += b"".join(_string(s) for s in new_strings)
    with open(path, "wb") as f:
        f.write(b)
