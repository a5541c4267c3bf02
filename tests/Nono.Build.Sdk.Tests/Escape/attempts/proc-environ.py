"""Read the environment of other processes of the same user: a long-running one holding a secret,
and the build's MSBuild (whose environment is not scrubbed); reach a file through another process's root."""
from escape import T, attempt, finish, msbuild_pid, read_bytes

pid = msbuild_pid()
attempt("victim-environ", lambda: read_bytes(f"/proc/{T['victimPid']}/environ"))
attempt("msbuild-environ", lambda: read_bytes(f"/proc/{pid}/environ"))
attempt("victim-root-home", lambda: read_bytes(f"/proc/{T['victimPid']}/root{T['homeSecret']}"))
finish()
