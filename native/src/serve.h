/* nono-exec --serve FD: one small process per build node that starts every sandboxed step, so
 * that the node (a large .NET process, where each exec costs more) starts none.
 *
 * The wire format, on the stream socket FD (one end of a socketpair the caller keeps):
 * a struct nono_launch header, sent with SCM_RIGHTS descriptors (stdin, stdout, stderr, status,
 * and the ruleset if ruleset_fd >= 0), then `length` bytes: the working directory, argc
 * nono-exec arguments (argv[0] included) and envc environment entries, each NUL-terminated.
 * The server forks a supervisor per request that runs nono-exec's usual path with those
 * arguments (--kill-leftovers always), writes the command's wait status (an int) to the status
 * socket and exits. A byte written to, or the close of, the caller's end of the status socket
 * kills the command and its leftovers. The server exits when FD reaches end of file. */
#ifndef NONO_SERVE_H
#define NONO_SERVE_H

#include <stdint.h>

#define NONO_LAUNCH_MAGIC 0x6e6f6e31u /* "non1" */
#define NONO_LAUNCH_MAX_LENGTH (64u << 20)
#define NONO_LAUNCH_FDS 5

struct nono_launch {
	uint32_t magic;
	uint32_t length;
	uint32_t argc;
	uint32_t envc;
	int32_t ruleset_fd; /* the number --ruleset-fd names in the arguments, or -1 */
};

/* nono-exec's own path (the arguments, as main's), run by each supervisor with the status
 * socket on status_fd; returns an exit status only if the command did not start. */
typedef int nono_run_fn(int argc, char *argv[], int status_fd);

/* Serves requests on sock until it reaches end of file. Returns the exit status. */
int nono_serve(int sock, nono_run_fn *run);

#endif
