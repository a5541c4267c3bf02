"""Connect to an abstract Unix socket of a server outside the sandbox (no file, no permissions)."""
import socket
from escape import T, attempt, finish


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\0" + T["abstractSocket"])
    s.sendall(b"probe")
    return "connected"


attempt("connect", connect)
finish()
