/* What each nono access grants in Landlock rights: shared by the enforcement (landlock.c) and
 * the denial recorder's evaluation of the same policy (policy_match.c). */
#ifndef NONO_LANDLOCK_RIGHTS_H
#define NONO_LANDLOCK_RIGHTS_H

#include "landlock_uapi.h"
#include "policy.h"

#include <stdint.h>

#define FS_READ (NONO_LL_FS_READ_FILE | NONO_LL_FS_READ_DIR)
/* Write makes regular files and directories only: FIFOs and sockets, like symlinks, are special
 * files (NONO_SYMLINK), because MSBuild's own tasks, run later and unsandboxed, would block on a
 * FIFO planted where they read (Copy of obj/…/x.pdb). Renaming or linking one in needs the same. */
#define FS_WRITE                                                                  \
	(NONO_LL_FS_WRITE_FILE | NONO_LL_FS_REMOVE_DIR | NONO_LL_FS_REMOVE_FILE |  \
	 NONO_LL_FS_MAKE_DIR | NONO_LL_FS_MAKE_REG | NONO_LL_FS_REFER |            \
	 NONO_LL_FS_TRUNCATE | NONO_LL_FS_IOCTL_DEV)
#define FS_SPECIAL (NONO_LL_FS_MAKE_SYM | NONO_LL_FS_MAKE_FIFO | NONO_LL_FS_MAKE_SOCK)
/* The rights that apply to a file itself rather than to a directory's entries. */
#define FS_FILE                                                                   \
	(NONO_LL_FS_EXECUTE | NONO_LL_FS_WRITE_FILE | NONO_LL_FS_READ_FILE |       \
	 NONO_LL_FS_TRUNCATE | NONO_LL_FS_IOCTL_DEV)
/* Device nodes can never be made: MAKE_CHAR and MAKE_BLOCK are handled, never granted. */
#define FS_ALL ((NONO_LL_FS_IOCTL_DEV << 1) - 1)

/* What this kernel's Landlock handles, as the kernel's sandboxer sample works it out: start
 * from everything this code knows (ABI 7) and take away, case by case, what an older ABI lacks.
 * Whatever is handled and not granted is denied. */
struct nono_ll_handled {
	uint64_t fs, net, scoped;
};

static inline struct nono_ll_handled nono_ll_handled(int abi)
{
	struct nono_ll_handled h = {
		.fs = FS_ALL,
		.net = NONO_LL_NET_BIND_TCP | NONO_LL_NET_CONNECT_TCP,
		.scoped = NONO_LL_SCOPE_ABSTRACT_UNIX_SOCKET | NONO_LL_SCOPE_SIGNAL,
	};
	switch (abi) {
	case 0:
		/* No Landlock at all (--best-effort): nothing is handled; seccomp still applies. */
		h.fs = 0;
		/* fall through */
	case 1:
		/* ABI 1 (Linux 5.13) lacks REFER: while any right is handled, no file can be moved or
		 * linked to another directory at all. */
		h.fs &= ~NONO_LL_FS_REFER;
		/* fall through */
	case 2:
		/* ABI 2 (5.19) lacks TRUNCATE: truncate(2), ftruncate(2) and O_TRUNC are not restricted. */
		h.fs &= ~NONO_LL_FS_TRUNCATE;
		/* fall through */
	case 3:
		/* ABI 3 (6.2) lacks TCP rules: with --net none seccomp refuses every AF_INET and
		 * AF_INET6 socket instead, and --connect-tcp/--bind-tcp are an error. */
		h.net = 0;
		/* fall through */
	case 4:
		/* ABI 4 (6.7) lacks IOCTL_DEV: ioctl on devices is not restricted. */
		h.fs &= ~NONO_LL_FS_IOCTL_DEV;
		/* fall through */
	case 5:
		/* ABI 5 (6.10) lacks scopes: signals and abstract Unix sockets reach outside the
		 * sandbox (seccomp still refuses AF_UNIX sockets without --allow-unix), and a step can
		 * signal its --kill-leftovers supervisor (docs/security.md). */
		h.scoped = 0;
		/* fall through */
	case 6:
		/* ABI 6 (6.12) lacks only the logging flags of landlock_restrict_self, which nono
		 * does not use: nothing to take away. */
		break;
	default:
		/* ABI 7 (6.15) and newer (capped at 7 by nono_landlock_abi): everything above. */
		break;
	}
	return h;
}

/* The filesystem rights an ABI handles: every right it knows. */
static inline uint64_t nono_fs_handled(int abi)
{
	return nono_ll_handled(abi).fs;
}

/* The rights a grant of access (NONO_READ | NONO_WRITE | NONO_EXECUTE | NONO_SYMLINK) gives a
 * directory. Creating symlinks, FIFOs and sockets is its own right: a link planted where a more
 * privileged program reads (MSBuild's own tasks in obj/ and bin/) points that program anywhere,
 * and a FIFO there makes it wait for ever. */
static inline uint64_t nono_fs_rights(unsigned access)
{
	uint64_t rights = 0;
	if (access & NONO_READ)
		rights |= FS_READ;
	if (access & NONO_WRITE)
		rights |= FS_WRITE;
	if (access & NONO_EXECUTE)
		rights |= NONO_LL_FS_EXECUTE;
	if (access & NONO_SYMLINK)
		rights |= FS_SPECIAL;
	/* Binding a pathname socket makes its file: MSBuild's node pipes and the compiler server's
	 * are fixed at /tmp/<name>. Sockets only, neither symlinks nor FIFOs (--sockets). */
	if (access & NONO_SOCKET)
		rights |= NONO_LL_FS_MAKE_SOCK;
	return rights;
}

#endif
