"""Not an attempt: what the project allows works, so the suite can tell a refusal from a broken harness."""
import os
import socket
from escape import T, allowed, finish


def tcp():
    s = socket.create_connection(("127.0.0.1", T["tcpAllowedPort"]), timeout=5)
    s.sendall(b"control")
    return f"connected to the allowed port {T['tcpAllowedPort']}"


def write_obj():
    with open(os.path.join(T["logDir"], "control.txt"), "w", encoding="utf-8") as f:
        f.write("control\n")
    return "wrote obj/<cfg>/<tfm>/escape/control.txt"


def read_source():
    with open(T["sourceFile"], "rb") as f:
        return f"read {len(f.read())} bytes of {os.path.basename(T['sourceFile'])}"


allowed("tcp-allowed-port", tcp)
allowed("write-intermediate", write_obj)
allowed("read-source", read_source)
finish(control=True)
