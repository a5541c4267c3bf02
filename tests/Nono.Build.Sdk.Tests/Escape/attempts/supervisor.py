"""End, stop or trace every process between the step and MSBuild (nono-exec, which supervises the
step from outside its sandbox), then leave a process that changes an output after the step: with
its supervisor gone, nothing would kill it."""
import ctypes
import os
import signal
import subprocess
import sys
from escape import T, allowed, attempt, finish, msbuild_pid, say

PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def parent_of(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        stat = f.read()
    return int(stat[stat.rindex(")") + 2:].split()[1])


def comm(pid):
    with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
        return f.read().strip()


# This script's parent is the step's own shell; every process above it, up to MSBuild, stands
# between the step and the build.
msbuild = msbuild_pid()
between = []
pid = parent_of(os.getppid())
while pid != msbuild and pid > 1:
    between.append(pid)
    pid = parent_of(pid)
say("between the step and MSBuild " + str(msbuild) + ": " + ", ".join(f"{p} ({comm(p)})" for p in between))


def on_each(action, done):
    """Runs action on every process between; the first refusal is the outcome (all must be refused)."""
    refusal = None
    for p in between:
        try:
            action(p)
            return f"{done} {p} ({comm(p)})"
        except OSError as e:
            refusal = refusal or e
    if refusal is None:
        raise RuntimeError("no process between the step and MSBuild")
    raise refusal


def stop(p):
    os.kill(p, signal.SIGSTOP)
    os.kill(p, signal.SIGCONT)


def trace(request):
    def action(p):
        if libc.ptrace(request, p, None, None) == -1:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        libc.ptrace(PTRACE_DETACH, p, None, None)
    return action


def read_memory(p):
    with open(f"/proc/{p}/mem", "rb"):
        pass


attempt("sigstop", lambda: on_each(stop, "stopped (and resumed)"))
attempt("ptrace-attach", lambda: on_each(trace(PTRACE_ATTACH), "traced"))
attempt("ptrace-seize", lambda: on_each(trace(PTRACE_SEIZE), "seized"))
attempt("proc-mem", lambda: on_each(read_memory, "opened the memory of"))
attempt("pidfd-sigkill", lambda: on_each(lambda p: signal.pidfd_send_signal(os.pidfd_open(p), signal.SIGKILL), "killed (pidfd)"))
attempt("sigkill", lambda: on_each(lambda p: os.kill(p, signal.SIGKILL), "killed"))
marker = os.path.join(T["logDir"], "written-after-the-supervisor")


def spawn():
    code = f"import time; time.sleep(2); open({marker!r}, 'w').write('late')"
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"started pid {child.pid} in its own session"


allowed("spawn-detached", spawn)
finish()
