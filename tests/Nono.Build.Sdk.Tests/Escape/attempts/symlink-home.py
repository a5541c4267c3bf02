"""A symlink from obj/ to a file in the home directory, which MSBuild's own tasks would follow
(Copy of a planted obj/…/x.pdb); and read and write through one made where links are allowed."""
import os
from escape import T, append, attempt, finish, fresh, read_bytes

attempt("plant-link-in-obj", lambda: os.symlink(T["homeSecret"], fresh("home-link")) or "planted")
link = os.path.join(os.environ["TMPDIR"], "home-link")
os.symlink(T["homeSecret"], link)  # the private temp directory allows links; they give no access
attempt("read-through-link", lambda: read_bytes(link))
attempt("write-through-link", lambda: append(link))
finish()
