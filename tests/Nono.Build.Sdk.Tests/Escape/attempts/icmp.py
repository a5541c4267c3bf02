"""Send an ICMP echo request carrying data: ping socket, raw socket, ICMPv6."""
import socket
import struct
from escape import T, attempt, finish


def echo(kind):
    s = socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
    payload = T["icmpMarker"].encode()
    body = struct.pack(">BBHHH", 8, 0, 0, 0x4E4F, 1) + payload
    total = sum(struct.unpack(f">{len(body) // 2}H", body[: len(body) // 2 * 2]))
    total = (total >> 16) + (total & 0xFFFF)
    checksum = ~(total + (total >> 16)) & 0xFFFF
    s.sendto(body[:2] + struct.pack(">H", checksum) + body[4:], ("127.0.0.1", 0))
    return "echo request sent"


def echo6():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6)
    s.sendto(struct.pack(">BBHHH", 128, 0, 0, 0x4E4F, 1) + T["icmpMarker"].encode(), ("::1", 0))
    return "echo request sent"


attempt("ping-socket", lambda: echo(socket.SOCK_DGRAM))
attempt("raw-socket", lambda: echo(socket.SOCK_RAW))
attempt("icmpv6-socket", echo6)
finish()
