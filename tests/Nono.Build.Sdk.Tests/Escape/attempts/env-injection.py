"""Code injection through the environment: the project's Exec passes LD_PRELOAD, DOTNET_STARTUP_HOOKS
and BASH_ENV (EnvironmentVariables) to the step. A preloaded library prints NONO-PRELOAD-RAN."""
import os
import subprocess
from escape import Refused, attempt, finish


def arrived(name):
    if name not in os.environ:
        raise Refused("NOT-PASSED", f"{name} is not in the step's environment")
    return f"{name}={os.environ[name]} arrived"


def preload_runs():
    out = subprocess.run(["/bin/true"], capture_output=True, text=True).stderr
    if "NONO-PRELOAD-RAN" not in out:
        raise Refused("NOT-LOADED", "a program the step runs does not load the library")
    return "the library ran in a child process"


for name in ("LD_PRELOAD", "DOTNET_STARTUP_HOOKS", "BASH_ENV"):
    attempt(name, lambda name=name: arrived(name))
attempt("preload-child", preload_runs)
finish()
