/* --unix-own: connections the supervisor makes on the command's behalf (mediate.c). */
#ifndef NONO_MEDIATE_H
#define NONO_MEDIATE_H

#include "policy.h"

/* Receives one connect() notification from the seccomp listener and answers it: the caller's
 * socket connected by this process, or an errno. With report (else -1; --report), a refused
 * connection is written to it; with --audit it is let through. */
void nono_mediate_one(const struct nono_policy *policy, int listener, int report);

#endif
