"""Type a command into the terminal the build runs in (TIOCSTI), which its shell would run after the build."""
import fcntl
import os
import termios
from escape import T, Refused, attempt, finish

TIOCLINUX = 0x541C


def tty():
    try:
        return os.open("/dev/tty", os.O_RDONLY)
    except OSError as e:
        raise Refused("NO-TTY", f"the step has no terminal to inject into ({e.strerror}); the harness should provide one")


def inject():
    fd = tty()
    for ch in T["ttyMarker"] + "\n":
        fcntl.ioctl(fd, termios.TIOCSTI, ch.encode())
    return "typed into the terminal"


def linux_paste():
    fd = tty()
    fcntl.ioctl(fd, TIOCLINUX, bytes([3]) + bytes(8))
    return "TIOCLINUX accepted"


attempt("tiocsti", inject)
attempt("tioclinux", linux_paste)
finish()
