"""Stop the build's MSBuild process with a signal, and kill a process of the same user outside the build."""
import signal
from escape import T, attempt, finish, msbuild_pid, say
import os

pid = msbuild_pid()
say(f"the build's MSBuild process is {pid}")


def stop():
    os.kill(pid, signal.SIGSTOP)
    os.kill(pid, signal.SIGCONT)
    return f"stopped (and resumed) MSBuild {pid}"


attempt("sigstop-msbuild", stop)
attempt("sigterm-victim", lambda: os.kill(T["victimPid"], signal.SIGTERM) or f"signalled {T['victimPid']}")
finish()
