/* The seccomp filter for what Landlock cannot express: socket families other than
 * TCP (UDP, ICMP, raw, MPTCP, SCTP, packet, netlink), AF_UNIX, and io_uring's
 * socket path around it. */
#ifndef NONO_SECCOMP_H
#define NONO_SECCOMP_H

#include "bpf.h"
#include "policy.h"

#include <stdint.h>

#define NONO_FILTER_MAX 160

struct nono_filter {
	unsigned short len; /* 0: nothing to filter */
	int notify;         /* --unix-own: connect() goes to a listener (mediate.c) */
	struct nono_bpf_insn insns[NONO_FILTER_MAX];
};

/* tcp_by_landlock: Landlock enforces the TCP port rules, so TCP sockets may be made.
 * Returns 0, or -1 if the filter does not fit (a bug: it must then not be installed). */
int nono_seccomp_build(const struct nono_policy *policy, int tcp_by_landlock,
		       struct nono_filter *filter);

/* Installs the filter on the calling thread (needs no_new_privs). Returns 0, or with
 * f->notify the listener's descriptor (close-on-exec); -1 on failure (errno set). */
int nono_seccomp_install(const struct nono_filter *filter);

/* Whether this kernel can install seccomp filters. */
int nono_seccomp_available(void);

#endif
