/* The system calls the denial recorder stops on (numbers per architecture: bpf.h). */
#ifndef NONO_RECORD_SYSCALLS_H
#define NONO_RECORD_SYSCALLS_H

#include "bpf.h"

#include <stdint.h>

enum nono_rec_kind {
	REC_OPEN = 1, REC_OPENAT, REC_OPENAT2, REC_CREAT,
	REC_EXECVE, REC_EXECVEAT,
	REC_MKDIR, REC_MKDIRAT, REC_MKNOD, REC_MKNODAT, REC_SYMLINK, REC_SYMLINKAT,
	REC_LINK, REC_LINKAT, REC_RENAME, REC_RENAMEAT, REC_RENAMEAT2,
	REC_UNLINK, REC_UNLINKAT, REC_RMDIR, REC_TRUNCATE,
	REC_CONNECT, REC_BIND,
};

struct nono_rec_syscall {
	uint16_t nr;
	uint8_t kind;
};

static const struct nono_rec_syscall nono_rec_syscalls[] = {
#ifdef NR_OPEN /* the calls only x86-64 has besides their *at forms */
	{ NR_OPEN, REC_OPEN },		{ NR_CREAT, REC_CREAT },	{ NR_MKDIR, REC_MKDIR },
	{ NR_MKNOD, REC_MKNOD },	{ NR_SYMLINK, REC_SYMLINK },	{ NR_LINK, REC_LINK },
	{ NR_RENAME, REC_RENAME },	{ NR_RENAMEAT, REC_RENAMEAT },	{ NR_UNLINK, REC_UNLINK },
	{ NR_RMDIR, REC_RMDIR },
#endif
	{ NR_OPENAT, REC_OPENAT },	{ NR_OPENAT2, REC_OPENAT2 },	{ NR_EXECVE, REC_EXECVE },
	{ NR_EXECVEAT, REC_EXECVEAT },	{ NR_MKDIRAT, REC_MKDIRAT },	{ NR_MKNODAT, REC_MKNODAT },
	{ NR_SYMLINKAT, REC_SYMLINKAT }, { NR_LINKAT, REC_LINKAT },	{ NR_RENAMEAT2, REC_RENAMEAT2 },
	{ NR_UNLINKAT, REC_UNLINKAT },	{ NR_TRUNCATE, REC_TRUNCATE },	{ NR_CONNECT, REC_CONNECT },
	{ NR_BIND, REC_BIND },
};

#define NONO_REC_COUNT (sizeof(nono_rec_syscalls) / sizeof(nono_rec_syscalls[0]))

#endif
