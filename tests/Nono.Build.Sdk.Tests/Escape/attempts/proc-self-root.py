"""Reach around the sandbox through /proc/self/root (a magic link to /)."""
from escape import T, append, attempt, finish, read_bytes

attempt("read-home", lambda: read_bytes("/proc/self/root" + T["homeSecret"]))
attempt("read-shadow", lambda: read_bytes("/proc/self/root/etc/shadow"))
attempt("write-source", lambda: append("/proc/self/root" + T["plantedSource"]))
finish()
