"""Write through descriptor 7, which the harness opened (no CLOEXEC) on a file outside the sandbox
before it started dotnet build, so MSBuild holds it and would pass it to every child process."""
import os
from escape import T, allowed, append, attempt, finish, msbuild_pid, say

pid = msbuild_pid()
say("descriptors of the step: " + " ".join(sorted(os.listdir("/proc/self/fd"), key=int)))
attempt("write-fd-7", lambda: f"wrote {os.write(7, b'pwned through fd 7' + bytes([10]))} bytes")
attempt("reopen-self-fd-7", lambda: append("/proc/self/fd/7"))
allowed("list-msbuild-fds", lambda: f"listed {len(os.listdir(f'/proc/{pid}/fd'))} descriptors")
attempt("readlink-msbuild-fd-7", lambda: "points to " + os.readlink(f"/proc/{pid}/fd/7"))
attempt("reopen-msbuild-fd-7", lambda: append(f"/proc/{pid}/fd/7"))
attempt("write-by-path", lambda: append(T["inheritedFdVictim"]))
finish()
