"""Accept connections from outside: listen() on an unbound socket binds an ephemeral port; bind port 0."""
import socket
from escape import attempt, finish


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.listen()
    return f"listening on port {s.getsockname()[1]}"


def bind_any():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 0))
    return f"bound port {s.getsockname()[1]}"


attempt("listen-without-bind", listen)
attempt("bind-port-0", bind_any)
finish()
