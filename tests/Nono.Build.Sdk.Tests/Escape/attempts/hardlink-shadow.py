"""A hard link in obj/ to /etc/shadow."""
import os
from escape import attempt, finish, fresh

link = fresh("shadow-hardlink")
attempt("hardlink", lambda: os.link("/etc/shadow", link) or f"linked {link}")
finish()
