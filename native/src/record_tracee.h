/* The denial recorder's view of a tracee (record_tracee.c), used by its checks
 * (record_decode.c). */
#ifndef NONO_RECORD_TRACEE_H
#define NONO_RECORD_TRACEE_H

#include "record.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A path the tracee names, resolved. */
struct nono_rec_object {
	char path[NONO_REC_PATH];   /* canonical: the object, or for a missing one parent/name */
	char parent[NONO_REC_PATH]; /* canonical directory that holds (or would hold) it */
	int exists;
	mode_t mode; /* 0 until known (resolve_as with lazy) */
	int fd;      /* lazy: the object's O_PATH descriptor while it may be needed, or -1 */
};

/* Exactly len bytes of the tracee's memory at addr. Returns 0, or -1. */
int nono_rec_read_memory(pid_t tid, uint64_t addr, void *buf, size_t len);

/* A NUL-terminated string of at most size - 1 bytes. Returns 0, or -1 (unreadable, too long). */
int nono_rec_read_string(pid_t tid, uint64_t addr, char *buf, size_t size);

/* An O_PATH, close-on-exec descriptor of path (the tracer's own view), or -1. */
int nono_rec_open_path(const char *path, int flags);

/* Resolves path as tid would, relative to its dirfd; follow: the last component's symlink.
 * Returns 0, or -1 when the path cannot be resolved (the call then fails before Landlock is
 * asked, or tid is gone). lazy: leave the mode unknown and the descriptor open in o->fd (see
 * nono_rec_object_mode, nono_rec_release), to spare an fstat. */
int nono_rec_resolve_as(pid_t tid, int dirfd, const char *path, int follow, struct nono_rec_object *o, int lazy);
int nono_rec_resolve(pid_t tid, int dirfd, const char *path, int follow, struct nono_rec_object *o);
mode_t nono_rec_object_mode(struct nono_rec_object *o);
void nono_rec_release(struct nono_rec_object *o);

#endif
