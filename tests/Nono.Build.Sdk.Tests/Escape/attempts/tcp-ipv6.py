"""TCP over IPv6 to a loopback port the project does not allow."""
import socket
from escape import T, attempt, finish

attempt("connect", lambda: socket.create_connection(("::1", T["tcp6DeniedPort"]), timeout=5) and "connected")
finish()
