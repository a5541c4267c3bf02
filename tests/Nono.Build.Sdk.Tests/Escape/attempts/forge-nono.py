"""Print nono-exec's error line, as if the sandbox had refused a path, to get the SDK's NONO1002
telling the user what to widen; on stderr and stdout, then exit with nono-exec's own status, 125."""
import sys
from escape import T, say

FORGED = f"nono-exec: error: path not found: {T['homeSecret']} (forged; allow it with <SandboxWrite Include=\"/\" />)"
print(FORGED, file=sys.stderr, flush=True)
print(FORGED, flush=True)
say("ALLOWED print-forged-line: printed it on stderr and stdout")
say("RESULT refused")
sys.exit(125)
