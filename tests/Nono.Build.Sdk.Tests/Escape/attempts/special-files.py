"""Leave special files in obj/ where MSBuild's own tasks read later: a FIFO at the .pdb path (Copy
would wait on it for ever; a step's Timeout cannot help, the step has ended), a socket, a device
node; and move or link a FIFO made in the private temp directory (where special files are allowed)
into obj/."""
import os
import stat
from escape import T, attempt, finish, fresh

OBJ = os.path.dirname(T["logDir"])
PDB = os.path.join(OBJ, T.get("projectName", "escape") + ".pdb")


def replace_pdb_with_fifo():
    os.rename(PDB, PDB + ".saved")  # allowed: a regular file in the step's output folder
    try:
        os.mkfifo(PDB)
    except OSError:
        os.rename(PDB + ".saved", PDB)
        raise
    return "a FIFO is where Copy expects the .pdb"


temp_fifo = os.path.join(os.environ["TMPDIR"], "fifo")
os.mkfifo(temp_fifo)  # the private temp directory allows special files; it is emptied after the step
attempt("fifo-at-pdb", replace_pdb_with_fifo)
attempt("socket-node", lambda: os.mknod(fresh("socket-node"), stat.S_IFSOCK | 0o600) or "made a socket node")
attempt("char-device", lambda: os.mknod(fresh("null-device"), stat.S_IFCHR | 0o666, os.makedev(1, 3)) or "made /dev/null's twin")
attempt("rename-fifo-in", lambda: os.rename(temp_fifo, fresh("moved-fifo")) or "moved a FIFO into obj/")
attempt("link-fifo-in", lambda: os.link(temp_fifo, fresh("linked-fifo")) or "linked a FIFO into obj/")
finish()
