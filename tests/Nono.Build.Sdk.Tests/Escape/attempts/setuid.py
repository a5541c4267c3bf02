"""Run a setuid-root program to gain rights: read a file only a privileged process could read."""
import os
import subprocess
from escape import T, Refused, attempt, finish, say


def run_setuid():
    out = subprocess.run([T["setuidProbe"], T["privilegedFile"]], capture_output=True, text=True, check=True).stdout.strip()
    say("setuid probe: " + out)
    fields = dict(part.split("=", 1) for part in out.split())
    gained = []
    if fields["euid"] != str(os.getuid()):
        gained.append(f"euid {fields['euid']}")
    if fields["capeff"] != "0000000000000000":
        gained.append(f"capabilities {fields['capeff']}")
    if fields["read"].startswith("OK"):
        gained.append("read the privileged file")
    if gained:
        return ", ".join(gained)
    raise Refused("NO-GAIN", f"euid stays {fields['euid']}, no capabilities, privileged file: {fields['read']}")


attempt("exec-setuid-root", run_setuid)
finish()
