"""Shared by the escape attempts. Each attempt is one sandboxed build step (python3 scripts/NAME.py);
it tries one or more operations and records each outcome, one line per operation, on its output and
in obj/<cfg>/<tfm>/escape/NAME.log, which the test reads after the build:

    REFUSED <op>: <ERRNO or word> <message>   the kernel (or the SDK) refused it
    ESCAPED <op>: <what happened>             it worked: an escape (never prints what it read)
    ALLOWED <op>: <what happened>             expected to work (controls, documented allowances)
    FAILED <op>: <ERRNO> <message>            a control that should have worked did not

The step exits 1 when nothing escaped (the step is refused: MSB3073) and 0 when something did.
"""
import errno
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "targets.json"), encoding="utf-8") as f:
    T = json.load(f)
NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0]
os.makedirs(T["logDir"], exist_ok=True)
_log = open(os.path.join(T["logDir"], NAME + ".log"), "w", encoding="utf-8")
_escaped = []
_failed = []


class Refused(Exception):
    """A refusal that is not an errno, e.g. a variable that never arrived."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def say(line):
    print(line, flush=True)
    _log.write(line + "\n")
    _log.flush()


def _code(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def attempt(op, action):
    try:
        detail = action()
    except Refused as r:
        say(f"REFUSED {op}: {r.code} {r.message}")
        return
    except OSError as e:
        say(f"REFUSED {op}: {_code(e)} {e.strerror}")
        return
    _escaped.append(op)
    say(f"ESCAPED {op}: {detail}")


def allowed(op, action):
    try:
        detail = action()
    except OSError as e:
        _failed.append(op)
        say(f"FAILED {op}: {_code(e)} {e.strerror}")
        return
    say(f"ALLOWED {op}: {detail}")


def finish(control=False):
    if control:
        say("RESULT " + ("failed" if _failed else "allowed"))
        sys.exit(1 if _failed else 0)
    say("RESULT " + ("escaped" if _escaped else "refused"))
    sys.exit(0 if _escaped else 1)


def msbuild_pid():
    """The dotnet process (MSBuild) this step runs under: the nearest dotnet ancestor."""
    pid = os.getppid()
    while pid > 1:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            stat = f.read()
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        if comm == "dotnet":
            return pid
        pid = int(stat[stat.rindex(")") + 2:].split()[1])
    raise RuntimeError("no dotnet ancestor")


def read_bytes(path):
    with open(path, "rb") as f:
        return f"read {len(f.read())} bytes"


def append(path, data=b"pwned by a sandboxed step\n"):
    with open(path, "ab") as f:
        f.write(data)
    return f"appended {len(data)} bytes to {path}"


def open_for_writing(path):
    """Opens a system file for writing without writing anything: success is the escape."""
    os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    return f"opened {path} for writing (nothing written)"


def fresh(name):
    path = os.path.join(T["logDir"], name)
    if os.path.lexists(path):
        os.remove(path)
    return path
