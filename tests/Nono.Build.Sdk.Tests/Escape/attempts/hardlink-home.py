"""A hard link in obj/ to a file in the home directory (which later steps, or MSBuild, could read or write)."""
import os
from escape import T, attempt, finish, fresh

link = fresh("home-hardlink")
attempt("hardlink", lambda: os.link(T["homeSecret"], link) or f"linked {link}")
finish()
