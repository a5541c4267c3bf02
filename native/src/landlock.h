/* Landlock: ABI detection and a ruleset built from a policy, best-effort by ABI. */
#ifndef NONO_LANDLOCK_H
#define NONO_LANDLOCK_H

#include "policy.h"

/* The kernel's Landlock ABI version (capped at the newest known), or 0 if absent. */
int nono_landlock_abi(void);

/* The kernel's Landlock errata bitmask, or -1 if the kernel cannot report it. */
int nono_landlock_errata(void);

/* Creates a ruleset fd for the policy. batch_close: the caller owns every descriptor above
 * the ruleset's (nono-exec), so rule descriptors may be closed a range at a time.
 * per_thread: every thread will restrict itself (libnono). Returns the fd, or -1 with err set. */
int nono_landlock_ruleset(const struct nono_policy *policy, int abi, int batch_close,
			  int per_thread, struct nono_error *err);

int nono_landlock_restrict_self(int ruleset_fd);

/* Whether fd is a Landlock ruleset (checked through /proc/self/fd). */
int nono_landlock_is_ruleset(int fd);

#endif
