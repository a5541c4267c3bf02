"""Upgrade a descriptor by reopening it through /proc/self/fd: an O_PATH descriptor of a ~ file
to a readable one, a read-only descriptor of a source file to a writable one."""
import os
from escape import T, append, attempt, finish, read_bytes


def reopen_opath():
    fd = os.open(T["homeSecret"], os.O_PATH)
    return read_bytes(f"/proc/self/fd/{fd}")


def reopen_for_writing():
    fd = os.open(T["sourceFile"], os.O_RDONLY)
    return append(f"/proc/self/fd/{fd}", b"// pwned\n")


attempt("reopen-opath-home", reopen_opath)
attempt("reopen-source-for-writing", reopen_for_writing)
finish()
