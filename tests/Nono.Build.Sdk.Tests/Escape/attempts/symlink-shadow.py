"""A symlink from obj/ to /etc/shadow; and read it, and open it for writing, through one made
where links are allowed."""
import os
from escape import attempt, finish, fresh, open_for_writing, read_bytes

attempt("plant-link-in-obj", lambda: os.symlink("/etc/shadow", fresh("shadow-link")) or "planted")
link = os.path.join(os.environ["TMPDIR"], "shadow-link")
os.symlink("/etc/shadow", link)
attempt("read-through-link", lambda: read_bytes(link))
attempt("open-for-writing-through-link", lambda: open_for_writing(link))
finish()
