/* The system calls the denial recorder stops on, per architecture, and how to read them. */
#ifndef NONO_RECORD_SYSCALLS_H
#define NONO_RECORD_SYSCALLS_H

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

#if defined(__x86_64__)
#define NONO_REC_ARCH 0xc000003eU /* AUDIT_ARCH_X86_64 */
#define NONO_REC_OPENAT 257
static const struct nono_rec_syscall nono_rec_syscalls[] = {
	{ 2, REC_OPEN },	 { 257, REC_OPENAT },	  { 437, REC_OPENAT2 },	  { 85, REC_CREAT },
	{ 59, REC_EXECVE },	 { 322, REC_EXECVEAT },	  { 83, REC_MKDIR },	  { 258, REC_MKDIRAT },
	{ 133, REC_MKNOD },	 { 259, REC_MKNODAT },	  { 88, REC_SYMLINK },	  { 266, REC_SYMLINKAT },
	{ 86, REC_LINK },	 { 265, REC_LINKAT },	  { 82, REC_RENAME },	  { 264, REC_RENAMEAT },
	{ 316, REC_RENAMEAT2 }, { 87, REC_UNLINK },	  { 263, REC_UNLINKAT },  { 84, REC_RMDIR },
	{ 76, REC_TRUNCATE },	 { 42, REC_CONNECT },	  { 49, REC_BIND },
};
#elif defined(__aarch64__)
#define NONO_REC_ARCH 0xc00000b7U /* AUDIT_ARCH_AARCH64 */
#define NONO_REC_OPENAT 56
static const struct nono_rec_syscall nono_rec_syscalls[] = {
	{ 56, REC_OPENAT },	 { 437, REC_OPENAT2 },	  { 221, REC_EXECVE },	  { 281, REC_EXECVEAT },
	{ 34, REC_MKDIRAT },	 { 33, REC_MKNODAT },	  { 36, REC_SYMLINKAT },  { 37, REC_LINKAT },
	{ 276, REC_RENAMEAT2 }, { 35, REC_UNLINKAT },	  { 45, REC_TRUNCATE },	  { 203, REC_CONNECT },
	{ 200, REC_BIND },
};
#else
#error "nono: denial recording not defined for this architecture"
#endif

#define NONO_REC_COUNT (sizeof(nono_rec_syscalls) / sizeof(nono_rec_syscalls[0]))

#endif
