"""Send a UDP datagram to a listener outside the sandbox, over IPv4 and IPv6."""
import socket
from escape import T, attempt, finish


def send(family, host, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.sendto(b"exfiltrated", (host, port))
    return "sent"


attempt("udp-ipv4", lambda: send(socket.AF_INET, "127.0.0.1", T["udpPort"]))
attempt("udp-ipv6", lambda: send(socket.AF_INET6, "::1", T["udp6Port"]))
finish()
