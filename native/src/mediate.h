/* --unix-own: connections and binds the supervisor makes on the command's behalf (mediate.c). */
#ifndef NONO_MEDIATE_H
#define NONO_MEDIATE_H

#include "policy.h"

/* Receives one connect() or bind() notification from the seccomp listener and answers it: the
 * caller's socket connected or bound by this process, or an errno. ruleset_fd is the command's
 * Landlock ruleset (-1: none), which checks the binds this process makes for it. With report
 * (else -1; --report), a refusal is written to it; with --audit it is let through. */
void nono_mediate_one(const struct nono_policy *policy, int listener, int ruleset_fd, int report);

#endif
