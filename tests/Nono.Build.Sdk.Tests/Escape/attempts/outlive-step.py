"""Leave a process running after the step (its own session, no output) that writes into obj/ two
seconds later, when the build has moved on to later targets."""
import os
import subprocess
import sys
from escape import T, allowed, finish

marker = os.path.join(T["logDir"], "written-after-the-step")


def spawn():
    code = f"import time; time.sleep(2); open({marker!r}, 'w').write('late')"
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"started pid {child.pid} in its own session"


allowed("spawn-detached", spawn)
finish()
