"""Fill the step's private temporary directory, and write next to it (/tmp) or to /dev/shm."""
import os
from escape import T, allowed, append, attempt, finish, say

tmp = os.environ["TMPDIR"]
say(f"private temp: {tmp}")


def fill():
    chunk = bytes(1 << 20)
    with open(os.path.join(tmp, "fill"), "wb") as f:
        for _ in range(T["fillMiB"]):
            f.write(chunk)
    return f"wrote {T['fillMiB']} MiB"


def lock():
    locked = os.path.join(tmp, "locked")
    os.mkdir(locked)
    with open(os.path.join(locked, "fill"), "wb") as f:
        f.write(bytes(1 << 20))
    os.chmod(locked, 0)
    return "a mode-000 directory holding 1 MiB"


allowed("fill-private-temp", fill)
allowed("lock-private-temp", lock)
attempt("write-beside-temp", lambda: append(os.path.join(os.path.dirname(tmp), T["plantedTempName"])))
attempt("write-dev-shm", lambda: append(os.path.join("/dev/shm", T["plantedTempName"])))
finish()
