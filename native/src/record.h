/* Internals of the denial recorder, shared by recorder.c (the tracer), record_decode.c (whether
 * the policy denies a stopped call), record_tracee.c and record_refusal.c. */
#ifndef NONO_RECORD_H
#define NONO_RECORD_H

#include "policy_match.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NONO_REC_PATH 4096

struct nono_syscall {
	uint32_t arch;
	uint64_t nr;
	uint64_t args[6];
};

struct nono_denial {
	const char *op;                 /* read, write, create, delete, rename, link, execute, ... */
	char target[NONO_REC_PATH + 64]; /* the path or destination */
	char dest[NONO_REC_PATH];        /* rename and link: the new path; else empty */
	int error;                      /* the errno the sandbox returns (or would return) */
};

/* Whether the policy denies the stopped call of tid (a native system call in the recorder's
 * list). exact: compare inodes rather than path strings (slower; see policy_match.h).
 * Returns 1 with *d filled, or 0. */
int nono_decode(const struct nono_match *m, pid_t tid, const struct nono_syscall *sc, int exact,
		struct nono_denial *d);

/* An AF_INET or AF_INET6 address as the report writes it: 127.0.0.1:443, [::1]:8080. */
void nono_record_format_inet(const struct sockaddr_storage *addr, char *target, size_t size);

/* Describes a call the seccomp filter refused (socket families, listen, io_uring, ...). */
void nono_describe_refusal(pid_t tid, const struct nono_syscall *sc, int error, struct nono_denial *d);

/* The command line written with a denial, at most (bytes, before escaping). */
#define NONO_REC_COMMAND 1024

/* A report line's size at most: every field escaped (up to 4 bytes for one), plus separators. */
#define NONO_REC_LINE (4 * (sizeof(((struct nono_denial *)0)->target) + \
			    sizeof(((struct nono_denial *)0)->dest) + NONO_REC_PATH + NONO_REC_COMMAND) + 128)

/* Formats one report line (op TAB target TAB pid TAB executable TAB errno TAB destination TAB
 * command TAB time TAB thread LF, docs/nono-exec.md) for thread tid, now, into line
 * (NONO_REC_LINE bytes). Returns its length. */
size_t nono_record_line(char *line, size_t size, pid_t tid, const struct nono_denial *d);

/* The thread group (process) of a thread, or tid itself if /proc cannot tell. */
pid_t nono_tgid(pid_t tid);

#endif
