/* The policy as a predicate: which Landlock rights does it grant on a path, is a TCP port
 * allowed. Used by the denial recorder (recorder.c) to tell the sandbox's denials from other
 * EACCES, and in --audit to decide what the sandbox would have denied. Landlock semantics: a
 * directory rule covers the directory and everything beneath it, a file rule that file only,
 * and the rights of every rule that covers an object are united. */
#ifndef NONO_POLICY_MATCH_H
#define NONO_POLICY_MATCH_H

#include "policy.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nono_match_rule {
	char *path; /* canonical, as resolved when the matcher was built */
	size_t len;
	dev_t dev;
	ino_t ino;
	uint64_t rights; /* Landlock rights; a file rule's are file rights only */
	int is_dir;
};

struct nono_match {
	struct nono_match_rule *rules;
	size_t count;
	uint64_t handled_fs; /* rights the sandbox restricts; 0: the filesystem is not restricted */
	int tcp_handled;     /* TCP ports are restricted */
	const struct nono_policy *policy;
};

/* Resolves the policy's paths (rules whose path no longer resolves are left out) for a
 * sandbox of Landlock ABI abi. Returns 0, or -1 when out of memory. */
int nono_match_init(struct nono_match *m, const struct nono_policy *policy, int abi);

/* The rights granted on the existing object at the canonical path (rights the sandbox does
 * not handle count as granted). exact: compare inodes along the path, as Landlock does
 * (bind mounts, replaced directories), instead of comparing path strings. */
uint64_t nono_match_rights(const struct nono_match *m, const char *path, int exact);

/* The rights of the rules on the object itself (which move with it in a rename). */
uint64_t nono_match_own_rights(const struct nono_match *m, const char *path, int exact);

/* Whether TCP connect (bind = 0) or bind (bind = 1) to port is allowed. */
int nono_match_tcp(const struct nono_match *m, int bind, unsigned port);

/* The path of an open descriptor as the kernel names it (/proc/self/fd). Returns its length, or -1. */
ssize_t nono_fd_path(int fd, char *buf, size_t size);

#endif
