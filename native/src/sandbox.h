/* The one enforcement path: a policy prepared into a Landlock ruleset and a seccomp
 * filter, then applied to a thread. */
#ifndef NONO_SANDBOX_H
#define NONO_SANDBOX_H

#include "policy.h"
#include "seccomp.h"

struct nono_sandbox {
	int abi;        /* Landlock ABI in use; 0: none (only with --best-effort) */
	int ruleset_fd; /* -1 without Landlock */
	/* --audit with --unix-own: the ruleset the command does not enter, which the supervisor
	 * still checks the command's binds with, to report them (mediate.c); else -1. */
	int audit_ruleset_fd;
	struct nono_filter filter;
	/* Denial recording (recorder.c): the filter that stops the command on the calls the
	 * recorder evaluates (len 0: not recording), installed with the sandbox's own by the
	 * thread that becomes the command, never by a supervisor that stays outside; and, with
	 * --unix-own, the report, for the supervisor's refused connections (else -1). */
	struct nono_filter record;
	int report_fd;
};

/* Whether a kernel with this Landlock ABI can enforce the policy. Returns 0, or -1 with err set. */
int nono_sandbox_check_abi(const struct nono_policy *policy, int abi, struct nono_error *err);

/* Opens the policy's paths and builds the ruleset (or takes the policy's --ruleset-fd, whose
 * rules the path and port options then only describe) and the filter. Nothing is
 * restricted yet. owns_fds: the caller will close every descriptor above 2 and restricts
 * one thread (nono-exec); otherwise every thread restricts itself (libnono).
 * Returns 0, or -1 with err set. */
int nono_sandbox_prepare(const struct nono_policy *policy, struct nono_sandbox *sandbox,
			 int owns_fds, struct nono_error *err);

enum nono_restrict_step {
	NONO_STEP_NO_NEW_PRIVS = 1,
	NONO_STEP_CAPABILITIES,
	NONO_STEP_LANDLOCK,
	NONO_STEP_SECCOMP,
};

/* Restricts the calling thread: nono_sandbox_drop_privileges, then nono_sandbox_confine_thread.
 * Async-signal-safe. Returns 0, or the step that failed (errno set). */
int nono_sandbox_restrict_thread(const struct nono_sandbox *sandbox);

/* no_new_privs and every capability dropped: what the command and a supervisor outside its
 * sandbox (--kill-leftovers) both give up; inherited by children. Async-signal-safe.
 * Returns 0, or the step that failed (errno set). */
int nono_sandbox_drop_privileges(void);

/* The command's own confinement: the Landlock domain, the recorder's filter (when recording)
 * and the sandbox's seccomp filter (needs no_new_privs). Async-signal-safe. Returns 0, or the step that failed (errno set). With a
 * notifying filter (--unix-own), *listener gets its descriptor (close-on-exec), else -1. */
int nono_sandbox_confine_thread(const struct nono_sandbox *sandbox, int *listener);

const char *nono_restrict_step_name(int step);

void nono_sandbox_release(struct nono_sandbox *sandbox);

#endif
