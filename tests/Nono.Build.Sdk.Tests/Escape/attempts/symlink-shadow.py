"""A symlink from obj/ to /etc/shadow: read it, open it for writing."""
import os
from escape import attempt, finish, fresh, open_for_writing, read_bytes

link = fresh("shadow-link")
os.symlink("/etc/shadow", link)
attempt("read-through-link", lambda: read_bytes(link))
attempt("open-for-writing-through-link", lambda: open_for_writing(link))
finish()
