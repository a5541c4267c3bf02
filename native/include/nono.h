/* libnono: apply a nono-exec policy to the calling process.
 * The options are exactly nono-exec's (see docs/nono-exec.md), without a command. */
#ifndef NONO_H
#define NONO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Applies the policy to every thread of this process, irreversibly. Returns 0, or
 * -1 with a one-line message in err ("<what>: <subject>"). On failure before any
 * thread was restricted nothing changed; *partial is set to 1 if some threads
 * were restricted and others could not be (the process should then exit). */
int nono_apply(int argc, const char *const argv[], char *err, size_t err_size, int *partial);

/* Builds the Landlock ruleset of a policy once, for many nono-exec runs: pass the returned
 * descriptor (close-on-exec; make an inheritable duplicate for the child) as
 * `nono-exec --ruleset-fd N` with the same options, and nono-exec opens no path. Returns the
 * descriptor, or -1 with a one-line message in err. */
int nono_ruleset(int argc, const char *const argv[], char *err, size_t err_size);

/* Starts `launcher --serve 3` (nono-exec) on the stream socket sock, an end of a socketpair
 * whose other end the caller keeps. Returns the server's pid, or -1 (errno set). */
int nono_serve_start(const char *launcher, int sock);

/* Sends one request to a server (the format is native/src/serve.h's) with its descriptors.
 * Returns 0, or -1 (errno set). */
int nono_serve_send(int sock, const void *request, size_t length, const int *fds, int nfds);

/* Writes nono-exec --probe's JSON into buf. Returns its length (as snprintf). */
int nono_probe(char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
