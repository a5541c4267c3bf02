"""TCP Fast Open: sendto(MSG_FASTOPEN) connects without connect(), which Landlock does not see."""
import socket
from escape import T, attempt, finish


def fastopen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.sendto(b"exfiltrated", socket.MSG_FASTOPEN, ("127.0.0.1", T["tcpDeniedPort"]))
    return "sent with MSG_FASTOPEN"


attempt("sendto-fastopen", fastopen)
finish()
