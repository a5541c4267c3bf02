"""TCP over IPv4 to a loopback port the project does not allow (it allows one other port)."""
import socket
from escape import T, attempt, finish

attempt("connect", lambda: socket.create_connection(("127.0.0.1", T["tcpDeniedPort"]), timeout=5) and "connected")
finish()
