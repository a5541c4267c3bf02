"""Trace the build's MSBuild process (attach, seize) or read its memory."""
import ctypes
import os
from escape import attempt, finish, msbuild_pid, say

PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
pid = msbuild_pid()
say(f"the build's MSBuild process is {pid}")


def trace(request):
    if libc.ptrace(request, pid, None, None) == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    libc.ptrace(PTRACE_DETACH, pid, None, None)
    return f"traced MSBuild {pid}"


def read_memory():
    with open(f"/proc/{pid}/mem", "rb") as f:
        return f"opened /proc/{pid}/mem"


attempt("ptrace-attach", lambda: trace(PTRACE_ATTACH))
attempt("ptrace-seize", lambda: trace(PTRACE_SEIZE))
attempt("proc-mem", read_memory)
finish()
