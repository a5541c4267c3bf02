"""Connect to a pathname Unix socket of a server outside the sandbox (a docker.sock stand-in)."""
import socket
from escape import T, attempt, finish


def stream():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(T["unixSocket"])
    s.sendall(b"GET /containers/json HTTP/1.0\r\n\r\n")
    return "connected"


def datagram():
    a, _ = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.sendto(b"probe", T["unixSocket"])
    return "sent"


attempt("connect", stream)
attempt("dgram-socketpair-sendto", datagram)
finish()
