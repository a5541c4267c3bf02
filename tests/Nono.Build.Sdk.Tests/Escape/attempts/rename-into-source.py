"""Move a file written in obj/ into the source tree (new, or over a source file), or a source file out."""
import os
from escape import T, attempt, finish, fresh

planted = fresh("Planted.cs")
with open(planted, "w", encoding="utf-8") as f:
    f.write("public static class Planted { }\n")
attempt("rename-into-source", lambda: os.rename(planted, T["plantedSource"]) or f"moved to {T['plantedSource']}")
attempt("rename-over-source", lambda: os.rename(planted, T["sourceFile"]) or f"replaced {T['sourceFile']}")
attempt("rename-source-out", lambda: os.rename(T["sourceFile"], fresh("stolen.cs")) or f"moved {T['sourceFile']} away")
finish()
