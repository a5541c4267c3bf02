/* Denial recording (--report FILE, --audit): a tracer outside the sandbox that writes down
 * every access of the command's process tree that the policy denies. See docs/nono-exec.md. */
#ifndef NONO_RECORDER_H
#define NONO_RECORDER_H

#include "policy.h"
#include "sandbox.h"

/* Whether the policy asks for recording. */
static inline int nono_recording(const struct nono_policy *policy)
{
	return policy->report != NULL || policy->audit;
}

/* Called by nono-exec after nono_sandbox_prepare and before nono_sandbox_restrict_thread.
 * Creates the report file, starts the tracer (a separate process, not a child of the command)
 * and waits until it traces this process, then installs the seccomp filter that stops this
 * process and its descendants on the calls the recorder evaluates. The sandbox's seccomp
 * refusals are handed to the tracer, which records and carries them out. With --audit, the
 * Landlock ruleset is dropped from the sandbox: nothing of the policy is enforced.
 * Returns 0, or -1 with err set (nothing started). */
int nono_record_start(const struct nono_policy *policy, struct nono_sandbox *sandbox,
		      struct nono_error *err);

#endif
