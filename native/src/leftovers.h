/* --kill-leftovers: nothing a command starts outlives it. */
#ifndef NONO_LEFTOVERS_H
#define NONO_LEFTOVERS_H

#include "policy.h"

#include <sys/types.h>

/* Opens this process's list of children (/proc/self/task/TID/children), close-on-exec.
 * Returns the descriptor, or -1 (errno set). */
int nono_leftovers_open_children(void);

/* Before the command starts: makes this process a child subreaper, so that every orphan of the
 * command's tree is reparented here, setsid or not. Returns 0, or -1 (errno set). */
int nono_leftovers_become_subreaper(void);

/* Starts the command in a vfork child: start(context) confines the child and execs the command,
 * or says why not and returns the exit status. Returns the child's pid, or -1 (errno set). */
pid_t nono_leftovers_start(int (*start)(void *), void *context);

/* Waits for the command, kills every process still left of its tree, and exits with the
 * command's status (re-raising a deadly signal). With a seccomp listener (--unix-own, else -1)
 * it answers the command's connect() and bind() calls meanwhile (mediate.c; ruleset_fd: the
 * command's Landlock ruleset, else -1), writing the ones it refuses to report (--report's
 * file, else -1). With a status socket (--serve, else -1) it writes the
 * command's wait status there before exiting, and kills the command early when the other end
 * sends a byte or closes. */
void nono_leftovers_supervise(int children_fd, pid_t command, const struct nono_policy *policy,
			      int listener, int ruleset_fd, int report, int status_fd) __attribute__((noreturn));

#endif
