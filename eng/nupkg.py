#!/usr/bin/env python3
"""Deterministic .nupkg files, for eng/pack.sh and eng/verify.sh (docs/security.md#provenance).

  nupkg.py finish PACKAGE SBOM EPOCH   normalise the SPDX SBOM sbom-tool wrote and add it to the
                                       package as _manifest/spdx_2.2/manifest.spdx.json, then
                                       rewrite the package so that its bytes depend only on its
                                       files: fixed entry order, every entry dated EPOCH (the
                                       commit's time), one compression, no extra fields
  nupkg.py extract PACKAGE DIR         unpack every entry (eng/verify.sh compares the trees)

dotnet pack already writes the same files for the same commit (Deterministic, PathMap, a
psmdcp named nuget.psmdcp); what it does not fix is each entry's time and, across SDKs, the
entry order. sbom-tool's document has a creation time, a random namespace and tag id, and
lists files in the order its threads hashed them: all four are fixed here.
"""
import hashlib
import json
import os
import re
import sys
import time
import zipfile

SBOM_PATH = "_manifest/spdx_2.2/manifest.spdx.json"


def die(message):
    print(f"nupkg: error: {message}", file=sys.stderr)
    sys.exit(1)


def normalise_sbom(sbom, epoch):
    sbom["creationInfo"]["created"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    sbom["files"] = sorted(sbom.get("files", []), key=lambda f: f["fileName"])
    for package in sbom.get("packages", []):
        if "hasFiles" in package:
            package["hasFiles"] = sorted(package["hasFiles"])
    sbom["packages"] = sorted(sbom.get("packages", []), key=lambda p: p["SPDXID"])
    sbom["relationships"] = sorted(
        sbom.get("relationships", []),
        key=lambda r: (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]))
    # The random parts become a hash of everything else: the same files give the same id.
    namespace_base = sbom["documentNamespace"].rsplit("/", 1)[0]
    sbom["documentNamespace"] = namespace_base + "/-"
    text = json.dumps(sbom, sort_keys=True)
    text = re.sub(r"tag_id=[0-9a-fA-F-]{36}", "tag_id=-", text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    uuid = f"{digest[0:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    sbom["documentNamespace"] = f"{namespace_base}/{uuid}"
    for package in sbom.get("packages", []):
        for ref in package.get("externalRefs", []):
            ref["referenceLocator"] = re.sub(
                r"tag_id=[0-9a-fA-F-]{36}", f"tag_id={uuid}", ref["referenceLocator"])
    return (json.dumps(sbom, indent=2, sort_keys=True) + "\n").encode()


def add_content_type(types_xml, extension):
    text = types_xml.decode("utf-8-sig")
    if re.search(rf'<Default Extension="{extension}"', text, re.IGNORECASE):
        return types_xml
    entry = f'<Default Extension="{extension}" ContentType="application/octet" />'
    last = text.rfind("<Default ")
    if last < 0:
        die("[Content_Types].xml has no Default entries; not a package dotnet pack wrote")
    end = text.index("/>", last) + 2
    return (text[:end] + "\n  " + entry + text[end:]).encode("utf-8")


def entry_order(name, nuspec):
    # The relationships and the manifest first, as NuGet writes them; then everything by name.
    return (0 if name == "_rels/.rels" else 1 if name == nuspec else 2, name)


def finish(package, sbom_file, epoch):
    with open(sbom_file, "rb") as f:
        sbom = normalise_sbom(json.load(f), epoch)
    with zipfile.ZipFile(package) as z:
        entries = {info.filename: z.read(info) for info in z.infolist()}
    nuspecs = [n for n in entries if "/" not in n and n.endswith(".nuspec")]
    if len(nuspecs) != 1:
        die(f"{package}: expected one .nuspec at the root, found {len(nuspecs)}")
    entries[SBOM_PATH] = sbom
    entries["[Content_Types].xml"] = add_content_type(entries["[Content_Types].xml"], "json")
    # The DOS time in a zip has no time zone: the commit's UTC time, as zip readers show it.
    date_time = time.gmtime(max(epoch, 315532800))[:6]  # zip cannot go before 1980
    temp = package + ".tmp"
    with zipfile.ZipFile(temp, "w") as z:
        for name in sorted(entries, key=lambda n: entry_order(n, nuspecs[0])):
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, entries[name], compresslevel=9)
    os.replace(temp, package)


def extract(package, directory):
    directory = os.path.abspath(directory)
    with zipfile.ZipFile(package) as z:
        for info in z.infolist():
            target = os.path.normpath(os.path.join(directory, info.filename))
            if not target.startswith(directory + os.sep):
                die(f"{package}: entry {info.filename!r} points outside the package")
            if info.is_dir():
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(z.read(info))


def main(argv):
    if len(argv) == 5 and argv[1] == "finish":
        finish(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 4 and argv[1] == "extract":
        try:
            extract(argv[2], argv[3])
        except zipfile.BadZipFile as e:
            die(f"{argv[2]}: not a zip file ({e}); is it a .nupkg?")
    else:
        die("usage: nupkg.py finish PACKAGE SBOM EPOCH | extract PACKAGE DIR")


if __name__ == "__main__":
    main(sys.argv)
