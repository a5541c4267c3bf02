"""A symlink from obj/ to a file in the home directory: read and write through it."""
import os
from escape import T, append, attempt, finish, fresh, read_bytes

link = fresh("home-link")
os.symlink(T["homeSecret"], link)
attempt("read-through-link", lambda: read_bytes(link))
attempt("write-through-link", lambda: append(link))
finish()
