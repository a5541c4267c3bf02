/* The denial recorder's view of a tracee: its memory (bounded reads) and the paths it names,
 * resolved the way the kernel will resolve them for it.
 *
 * Paths are resolved through /proc/<tid>/{root,cwd,fd/N}, so the tracee's working directory,
 * directory descriptors and root apply, and named by the kernel (readlink of /proc/self/fd/N),
 * so symlinks are resolved as Landlock sees them. Every open here is O_PATH: it reads nothing,
 * creates nothing and does not block. */
#include "record_tracee.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* --- tracee memory ------------------------------------------------------------------- */

int nono_rec_read_memory(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* A NUL-terminated string of at most size - 1 bytes, read a page at a time so that a string
 * ending just before an unmapped page is still read. Returns 0, or -1 (unreadable, too long). */
int nono_rec_read_string(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > size - got)
			chunk = size - got;
		struct iovec local = { buf + got, chunk }, remote = { (void *)(uintptr_t)(addr + got), chunk };
		ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -1;
		if (memchr(buf + got, '\0', (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -1;
}

/* --- path resolution ------------------------------------------------------------------ */

int nono_rec_open_path(const char *path, int flags)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_PATH | O_CLOEXEC);
}

/* The names that mean "this process" would mean the tracer if the tracer resolved them: they
 * are rewritten to name tid's process. Returns the length of the alias matched, with the
 * replacement in out, or 0. Only literal prefixes are seen, not symlinks to them elsewhere. */
static size_t self_alias(pid_t tid, const char *path, char *out, size_t size)
{
	static const struct {
		const char *alias, *format;
	} aliases[] = {
		{ "/proc/self", "/proc/%d" },	       { "/proc/thread-self", "/proc/%d/task/%d" },
		{ "/dev/fd", "/proc/%d/fd" },	       { "/dev/stdin", "/proc/%d/fd/0" },
		{ "/dev/stdout", "/proc/%d/fd/1" },    { "/dev/stderr", "/proc/%d/fd/2" },
		{ "/etc/mtab", "/proc/%d/mounts" },
	};
	if (strncmp(path, "/proc/", 6) && strncmp(path, "/dev/", 5) && strncmp(path, "/etc/mtab", 9))
		return 0;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		size_t len = strlen(aliases[i].alias);
		if (strncmp(path, aliases[i].alias, len) || (path[len] != '\0' && path[len] != '/'))
			continue;
		pid_t pid = nono_tgid(tid);
		snprintf(out, size, aliases[i].format, pid, tid);
		return len;
	}
	return 0;
}

/* Opens (O_PATH) path as tid would resolve it from dirfd. An empty path names dirfd itself. */
static int open_as(pid_t tid, int dirfd, const char *path, int flags)
{
	char full[NONO_REC_PATH + 64], alias[64];
	int n;
	size_t skip = path[0] == '/' ? self_alias(tid, path, alias, sizeof(alias)) : 0;
	if (skip)
		n = snprintf(full, sizeof(full), "%s%s", alias, path + skip);
	else if (path[0] == '/')
		n = snprintf(full, sizeof(full), "/proc/%d/root%s", tid, path);
	else if (dirfd == AT_FDCWD)
		n = snprintf(full, sizeof(full), "/proc/%d/cwd/%s", tid, path);
	else if (path[0] == '\0')
		n = snprintf(full, sizeof(full), "/proc/%d/fd/%d", tid, dirfd);
	else
		n = snprintf(full, sizeof(full), "/proc/%d/fd/%d/%s", tid, dirfd, path);
	if (n < 0 || (size_t)n >= sizeof(full)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return nono_rec_open_path(full, flags);
}

static void parent_of(const char *path, char *parent, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash && slash != path ? (size_t)(slash - path) : 1;
	if (path[0] != '/' || len >= size)
		len = 0;
	memcpy(parent, path, len);
	parent[len] = '\0';
	if (len == 1)
		parent[0] = '/';
}

/* Returns 0, or -1 when the path cannot be resolved (the call then fails with ENOENT,
 * ENOTDIR, ELOOP... before Landlock is asked, or tid is gone). lazy: leave the mode unknown and
 * the descriptor open in o->fd (see object_mode, release), to spare an fstat. */
int nono_rec_resolve_as(pid_t tid, int dirfd, const char *path, int follow, struct nono_rec_object *o, int lazy)
{
	o->exists = 0;
	o->mode = 0;
	o->fd = -1;
	int fd = open_as(tid, dirfd, path, follow ? 0 : O_NOFOLLOW);
	if (fd >= 0) {
		struct stat st;
		int ok = nono_fd_path(fd, o->path, sizeof(o->path)) >= 0 && (lazy || fstat(fd, &st) == 0);
		if (ok && lazy)
			o->fd = fd;
		else
			close(fd);
		if (!ok)
			return -1;
		o->exists = 1;
		if (!lazy)
			o->mode = st.st_mode;
		parent_of(o->path, o->parent, sizeof(o->parent));
		return 0;
	}
	if (errno != ENOENT)
		return -1;

	/* Missing: its directory must exist (else ENOENT again, not a denial). */
	char dir[NONO_REC_PATH];
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(dir))
		return -1;
	memcpy(dir, path, len + 1);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	char name_copy[256];
	if (strlen(name) >= sizeof(name_copy))
		return -1;
	strcpy(name_copy, name);
	if (!slash)
		dir[0] = '\0';
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open_as(tid, dirfd, dir, O_DIRECTORY);
	if (fd < 0)
		return -1;
	int ok = nono_fd_path(fd, o->parent, sizeof(o->parent)) >= 0;
	close(fd);
	if (!ok || o->parent[0] != '/')
		return -1;
	int n = snprintf(o->path, sizeof(o->path), "%s%s%s", o->parent,
			 o->parent[1] ? "/" : "", name_copy);
	return n > 0 && (size_t)n < sizeof(o->path) ? 0 : -1;
}

int nono_rec_resolve(pid_t tid, int dirfd, const char *path, int follow, struct nono_rec_object *o)
{
	return nono_rec_resolve_as(tid, dirfd, path, follow, o, 0);
}

mode_t nono_rec_object_mode(struct nono_rec_object *o)
{
	struct stat st;
	if (!o->mode && o->fd >= 0 && fstat(o->fd, &st) == 0)
		o->mode = st.st_mode;
	return o->mode;
}

void nono_rec_release(struct nono_rec_object *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

pid_t nono_tgid(pid_t tid)
{
	char path[32], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return tid;
	buf[n] = '\0';
	for (const char *line = buf; (line = strchr(line, '\n')); ) {
		line++;
		if (strncmp(line, "Tgid:", 5))
			continue;
		pid_t pid = 0;
		for (line += 5; *line == '\t' || *line == ' '; line++)
			;
		for (; *line >= '0' && *line <= '9'; line++)
			pid = pid * 10 + (*line - '0');
		return pid > 0 ? pid : tid;
	}
	return tid;
}
