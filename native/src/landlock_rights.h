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

/* The filesystem rights an ABI handles: every right it knows. */
static inline uint64_t nono_fs_handled(int abi)
{
	uint64_t fs = abi > 0 ? FS_ALL : 0;
	if (abi < 2)
		fs &= ~NONO_LL_FS_REFER;
	if (abi < 3)
		fs &= ~NONO_LL_FS_TRUNCATE;
	if (abi < 5)
		fs &= ~NONO_LL_FS_IOCTL_DEV;
	return fs;
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
	return rights;
}

#endif
