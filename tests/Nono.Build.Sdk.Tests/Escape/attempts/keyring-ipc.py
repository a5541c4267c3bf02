"""Reach state of the user's other processes that no path names: the kernel keyring, System V
shared memory, message queues and semaphores, POSIX message queues."""
import ctypes
import os
import platform
from escape import T, attempt, finish

libc = ctypes.CDLL(None, use_errno=True)
KEYCTL = 219 if platform.machine() == "aarch64" else 250
KEY = T["ipcKey"]


def call(fn, *args):
    rc = fn(*args)
    if rc == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return f"returned {rc}"


attempt("keyring", lambda: call(libc.syscall, KEYCTL, 0, -4, 0))  # KEYCTL_GET_KEYRING_ID of the user keyring
attempt("shm", lambda: call(libc.shmget, KEY, 4096, 0o1600))      # IPC_CREAT | 0600
attempt("msg", lambda: call(libc.msgget, KEY, 0o1600))
attempt("sem", lambda: call(libc.semget, KEY, 1, 0o1600))
attempt("mq", lambda: call(libc.mq_open, T["mqName"].encode(), 0o100 | 2, 0o600, None))  # O_CREAT | O_RDWR
finish()
