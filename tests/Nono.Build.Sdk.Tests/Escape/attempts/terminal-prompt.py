"""Print a fake sudo prompt and read what the user types: standard input must not be the terminal."""
import os
import select
import stat
import sys
from escape import Refused, attempt, finish


def prompt():
    st = os.fstat(0)
    if stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == 1 and os.minor(st.st_rdev) == 3:
        raise Refused("DEV-NULL", "standard input is /dev/null")
    sys.stdout.write("[sudo] password for user: ")
    sys.stdout.flush()
    if os.isatty(0):
        return "standard input is the user's terminal: what they type next is the step's"
    if not select.select([0], [], [], 5)[0]:
        raise Refused("NOTHING", f"standard input ({stat.filemode(st.st_mode)}) gave nothing in 5 s")
    typed = os.read(0, 256)
    if not typed:
        raise Refused("EOF", "standard input is at its end")
    return f"read {len(typed)} bytes: {typed.decode(errors='replace').strip()}"


attempt("read-terminal", prompt)
finish()
