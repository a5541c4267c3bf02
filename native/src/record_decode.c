/* What a stopped system call touches (resolved by record_tracee.c the way the kernel will
 * resolve it for the tracee), and whether the policy grants the Landlock rights the kernel will
 * ask for. */
#include "record.h"

#include "record_tracee.h"

#include "landlock_rights.h"
#include "record_syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#define RENAME_NOREPLACE_ (1 << 0)
#define RENAME_EXCHANGE_ (1 << 1)
#define TMPFILE_FLAG (O_TMPFILE & ~O_DIRECTORY)

static uint64_t make_right(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return NONO_LL_FS_MAKE_DIR;
	case S_IFLNK: return NONO_LL_FS_MAKE_SYM;
	case S_IFIFO: return NONO_LL_FS_MAKE_FIFO;
	case S_IFSOCK: return NONO_LL_FS_MAKE_SOCK;
	case S_IFCHR: return NONO_LL_FS_MAKE_CHAR;
	case S_IFBLK: return NONO_LL_FS_MAKE_BLOCK;
	default: return NONO_LL_FS_MAKE_REG;
	}
}

static uint64_t remove_right(mode_t mode)
{
	return S_ISDIR(mode) ? NONO_LL_FS_REMOVE_DIR : NONO_LL_FS_REMOVE_FILE;
}

static int deny(struct nono_denial *d, const char *op, const char *target, int error)
{
	d->op = op;
	snprintf(d->target, sizeof(d->target), "%s", target);
	d->dest[0] = '\0';
	d->error = error;
	return 1;
}

struct ctx {
	const struct nono_match *m;
	pid_t tid;
	int exact;
	struct nono_denial *d;
};

static uint64_t rights(const struct ctx *c, const char *path)
{
	return nono_match_rights(c->m, path, c->exact);
}

static int open_denied(const struct ctx *c, struct nono_rec_object *o, uint64_t flags, uint64_t file)
{
	int acc = (int)(flags & O_ACCMODE);
	if (!o->exists) {
		if (!(flags & O_CREAT))
			return 0;
		uint64_t granted = rights(c, o->parent);
		if (!(granted & NONO_LL_FS_MAKE_REG))
			return deny(c->d, "create", o->path, EACCES);
		uint64_t missing = file & ~granted;
		return missing ? deny(c->d, missing & NONO_LL_FS_WRITE_FILE ? "write" : "read", o->path, EACCES) : 0;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 0;
	uint64_t granted = rights(c, o->path);
	/* Granted whatever the object is: no need to look at it. */
	uint64_t any = file | (flags & O_TRUNC ? NONO_LL_FS_TRUNCATE : 0) |
		       (acc == O_RDONLY ? NONO_LL_FS_READ_DIR : 0);
	if (!(any & ~granted))
		return 0;
	mode_t mode = nono_rec_object_mode(o);
	if (S_ISDIR(mode))
		return acc == O_RDONLY && !(granted & NONO_LL_FS_READ_DIR) ? deny(c->d, "read", o->path, EACCES) : 0;
	uint64_t need = file | ((flags & O_TRUNC) && S_ISREG(mode) ? NONO_LL_FS_TRUNCATE : 0);
	uint64_t missing = need & ~granted;
	if (!missing)
		return 0;
	const char *op = missing & NONO_LL_FS_WRITE_FILE ? "write"
		: missing & NONO_LL_FS_TRUNCATE ? "truncate" : "read";
	return deny(c->d, op, o->path, EACCES);
}

static int check_open(const struct ctx *c, int dirfd, uint64_t path_addr, uint64_t flags)
{
	if (flags & O_PATH)
		return 0;
	char path[NONO_REC_PATH];
	struct nono_rec_object o;
	if (nono_rec_read_string(c->tid, path_addr, path, sizeof(path)))
		return 0;
	int acc = (int)(flags & O_ACCMODE);
	uint64_t file = (acc == O_RDONLY || acc == O_RDWR ? NONO_LL_FS_READ_FILE : 0) |
			(acc == O_WRONLY || acc == O_RDWR ? NONO_LL_FS_WRITE_FILE : 0);
	if ((flags & TMPFILE_FLAG) == TMPFILE_FLAG) {
		/* An unnamed file in a directory, with the directory's file rights. */
		if (nono_rec_resolve(c->tid, dirfd, path, 1, &o) || !o.exists || !S_ISDIR(o.mode))
			return 0;
		return (file & ~rights(c, o.path)) ? deny(c->d, "write", o.path, EACCES) : 0;
	}
	if (nono_rec_resolve_as(c->tid, dirfd, path, !(flags & O_NOFOLLOW), &o, 1))
		return 0;
	int denied = open_denied(c, &o, flags, file);
	nono_rec_release(&o);
	return denied;
}

/* The interpreter the kernel also opens to run the regular file at path: a "#!" line's, or an
 * ELF program's PT_INTERP (its dynamic loader). Returns 0 with interp set, or -1 if none. The
 * file is opened O_PATH and checked to be regular before it is reopened for reading, so no
 * device or FIFO is ever opened. */
static int interpreter_of(const char *path, char *interp, size_t size)
{
	int opath = nono_rec_open_path(path, 0);
	if (opath < 0)
		return -1;
	struct stat st;
	char again[32];
	snprintf(again, sizeof(again), "/proc/self/fd/%d", opath);
	int fd = fstat(opath, &st) == 0 && S_ISREG(st.st_mode)
		? (int)syscall(SYS_openat, AT_FDCWD, again, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
	close(opath);
	if (fd < 0)
		return -1;
	unsigned char h[256];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	int found = -1;
	if (n >= 3 && h[0] == '#' && h[1] == '!') {
		size_t i = 2, len = 0;
		while (i < (size_t)n && (h[i] == ' ' || h[i] == '\t'))
			i++;
		while (i + len < (size_t)n && h[i + len] != ' ' && h[i + len] != '\t' && h[i + len] != '\n')
			len++;
		if (len > 0 && len < size && i + len < (size_t)n) {
			memcpy(interp, h + i, len);
			interp[len] = '\0';
			found = 0;
		}
	} else if (n >= 64 && !memcmp(h, "\177ELF", 4) && h[5] == 1 /* little-endian */) {
		int wide = h[4] == 2;
		uint64_t phoff = 0;
		uint16_t phentsize, phnum;
		if (wide)
			memcpy(&phoff, h + 32, 8);
		else
			memcpy(&phoff, h + 28, 4);
		memcpy(&phentsize, h + (wide ? 54 : 42), 2);
		memcpy(&phnum, h + (wide ? 56 : 44), 2);
		for (unsigned i = 0; i < phnum && i < 64 && phentsize >= (wide ? 56 : 32); i++) {
			unsigned char ph[56];
			if (pread(fd, ph, wide ? 56 : 32, (off_t)(phoff + (uint64_t)i * phentsize)) != (wide ? 56 : 32))
				break;
			uint32_t type;
			uint64_t offset = 0, filesz = 0;
			memcpy(&type, ph, 4);
			if (type != 3) /* PT_INTERP */
				continue;
			if (wide) {
				memcpy(&offset, ph + 8, 8);
				memcpy(&filesz, ph + 32, 8);
			} else {
				memcpy(&offset, ph + 4, 4);
				memcpy(&filesz, ph + 16, 4);
			}
			if (filesz > 1 && filesz < size && pread(fd, interp, filesz, (off_t)offset) == (ssize_t)filesz) {
				interp[filesz - 1] = '\0';
				found = 0;
			}
			break;
		}
	}
	close(fd);
	return found;
}

static int check_exec(const struct ctx *c, int dirfd, uint64_t path_addr, int follow)
{
	char path[NONO_REC_PATH];
	struct nono_rec_object o;
	if (nono_rec_read_string(c->tid, path_addr, path, sizeof(path)) || nono_rec_resolve(c->tid, dirfd, path, follow, &o))
		return 0;
	/* The kernel opens the program, then its interpreter (a script's, an ELF program's loader),
	 * and so on, each for reading and execution. */
	uint64_t need = NONO_LL_FS_EXECUTE | NONO_LL_FS_READ_FILE;
	for (int depth = 0; depth < 4; depth++) {
		if (!o.exists || !S_ISREG(o.mode))
			return 0;
		if (need & ~rights(c, o.path))
			return deny(c->d, "execute", o.path, EACCES);
		char interp[NONO_REC_PATH];
		if (interpreter_of(o.path, interp, sizeof(interp)) || nono_rec_resolve(c->tid, AT_FDCWD, interp, 1, &o))
			return 0;
	}
	return 0;
}

static int check_create(const struct ctx *c, int dirfd, uint64_t path_addr, mode_t type)
{
	char path[NONO_REC_PATH];
	struct nono_rec_object o;
	if (nono_rec_read_string(c->tid, path_addr, path, sizeof(path)) || nono_rec_resolve(c->tid, dirfd, path, 0, &o))
		return 0;
	if (o.exists)
		return 0;
	return (make_right(type) & ~rights(c, o.parent)) ? deny(c->d, "create", o.path, EACCES) : 0;
}

/* dir: rmdir (1), unlink (0). */
static int check_delete(const struct ctx *c, int dirfd, uint64_t path_addr, int dir)
{
	char path[NONO_REC_PATH];
	struct nono_rec_object o;
	if (nono_rec_read_string(c->tid, path_addr, path, sizeof(path)) || nono_rec_resolve(c->tid, dirfd, path, 0, &o))
		return 0;
	if (!o.exists || !S_ISDIR(o.mode) != !dir)
		return 0;
	return (remove_right(o.mode) & ~rights(c, o.parent)) ? deny(c->d, "delete", o.path, EACCES) : 0;
}

static int check_truncate(const struct ctx *c, uint64_t path_addr)
{
	char path[NONO_REC_PATH];
	struct nono_rec_object o;
	if (nono_rec_read_string(c->tid, path_addr, path, sizeof(path)) || nono_rec_resolve(c->tid, AT_FDCWD, path, 1, &o))
		return 0;
	if (!o.exists || S_ISDIR(o.mode))
		return 0;
	return (NONO_LL_FS_TRUNCATE & ~rights(c, o.path)) ? deny(c->d, "truncate", o.path, EACCES) : 0;
}

static int same_device(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/* rename (link = 0) and link (link = 1), as Landlock checks them: removing from and adding to
 * the directories, and, between directories, REFER on both and no right gained by the move. */
static int check_move(const struct ctx *c, int olddirfd, uint64_t old_addr, int newdirfd,
		      uint64_t new_addr, unsigned flags, int link, int follow_old)
{
	char path[NONO_REC_PATH];
	struct nono_rec_object from, to;
	if (nono_rec_read_string(c->tid, old_addr, path, sizeof(path)) ||
	    nono_rec_resolve(c->tid, olddirfd, path, follow_old, &from) || !from.exists)
		return 0;
	if (nono_rec_read_string(c->tid, new_addr, path, sizeof(path)) || nono_rec_resolve(c->tid, newdirfd, path, 0, &to))
		return 0;
	int exchange = !link && (flags & RENAME_EXCHANGE_);
	if ((exchange && !to.exists) || (to.exists && (link || (flags & RENAME_NOREPLACE_))))
		return 0;
	if (link && S_ISDIR(from.mode))
		return 0;
	const char *op = link ? "link" : "rename";

	uint64_t want_from = link ? 0 : remove_right(from.mode);
	uint64_t want_to = make_right(from.mode);
	if (exchange)
		want_from |= make_right(to.mode);
	if (!link && to.exists)
		want_to |= remove_right(to.mode);

	int error = 0;
	if (!strcmp(from.parent, to.parent)) {
		if ((want_from | want_to) & ~rights(c, to.parent))
			error = EACCES;
	} else {
		if (!same_device(from.parent, to.parent))
			return 0; /* EXDEV from the VFS, not from the sandbox */
		uint64_t r_from = rights(c, from.parent), r_to = rights(c, to.parent);
		if ((want_from & ~r_from) || (want_to & ~r_to)) {
			error = EACCES;
		} else if (!(r_from & r_to & NONO_LL_FS_REFER)) {
			error = EXDEV;
		} else {
			/* The moved object may not gain rights in its new place. */
			uint64_t relevant = S_ISDIR(from.mode) ? FS_ALL : FS_FILE;
			uint64_t own = nono_match_own_rights(c->m, from.path, c->exact);
			if ((r_to & relevant & c->m->handled_fs) & ~(r_from | own))
				error = EXDEV;
			if (exchange) {
				relevant = S_ISDIR(to.mode) ? FS_ALL : FS_FILE;
				own = nono_match_own_rights(c->m, to.path, c->exact);
				if ((r_from & relevant & c->m->handled_fs) & ~(r_to | own))
					error = EXDEV;
			}
		}
	}
	if (!error)
		return 0;
	deny(c->d, op, from.path, error);
	snprintf(c->d->dest, sizeof(c->d->dest), "%s", to.path);
	return 1;
}

/* RFC 5952 text of an IPv6 address: lowercase hex groups, the longest run of two or more zero
 * groups (the first of equals) as "::". */
static void format_ipv6(const unsigned char *a, char *out, size_t size)
{
	unsigned g[8];
	int best = -1, best_len = 1;
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len)
			best = i, best_len = j - i;
		i = j > i ? j : i + 1;
	}
	size_t at = 0;
	out[0] = '\0';
	for (int i = 0; i < 8 && at < size; i++) {
		if (i == best) {
			at += (size_t)snprintf(out + at, size - at, "::");
			i += best_len - 1;
			continue;
		}
		at += (size_t)snprintf(out + at, size - at, "%s%x", at && out[at - 1] != ':' ? ":" : "", g[i]);
	}
}

/* Whether fd of tid is a TCP socket (the only kind Landlock's port rules apply to). When it
 * cannot be told, yes: under --net none TCP is the only Internet socket a process can make. */
static int is_tcp(pid_t tid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, nono_tgid(tid), 0);
	if (pidfd < 0)
		return 1;
	int sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (sock < 0)
		return 1;
	int type = 0, protocol = 0;
	socklen_t len = sizeof(type);
	int ok = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
	len = sizeof(protocol);
	ok = ok && getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) == 0;
	close(sock);
	return !ok || (type == SOCK_STREAM && protocol == IPPROTO_TCP);
}

static int check_socket_address(const struct ctx *c, int fd, uint64_t addr, uint64_t addrlen, int bind)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct {
			sa_family_t family;
			char path[108];
		} un;
		unsigned char bytes[128];
	} sa;
	memset(&sa, 0, sizeof(sa));
	size_t len = addrlen < sizeof(sa) ? (size_t)addrlen : sizeof(sa);
	if (len < sizeof(sa_family_t) || nono_rec_read_memory(c->tid, addr, &sa, len))
		return 0;
	sa_family_t family = sa.in.sin_family;
	if (family == AF_UNIX) {
		/* bind() of a pathname socket creates its file. */
		if (!bind || len <= sizeof(sa_family_t) || sa.un.path[0] == '\0')
			return 0;
		char path[sizeof(sa.un.path) + 1];
		size_t n = len - sizeof(sa_family_t);
		memcpy(path, sa.un.path, n);
		path[n] = '\0';
		struct nono_rec_object o;
		if (nono_rec_resolve(c->tid, AT_FDCWD, path, 0, &o) || o.exists)
			return 0;
		return (NONO_LL_FS_MAKE_SOCK & ~rights(c, o.parent)) ? deny(c->d, "create", o.path, EACCES) : 0;
	}
	char host[48];
	unsigned port;
	if (family == AF_INET && len >= sizeof(sa.in)) {
		port = ntohs(sa.in.sin_port);
		const unsigned char *a = (const unsigned char *)&sa.in.sin_addr;
		snprintf(host, sizeof(host), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (family == AF_INET6 && len >= sizeof(sa.in6)) {
		port = ntohs(sa.in6.sin6_port);
		format_ipv6((const unsigned char *)&sa.in6.sin6_addr, host, sizeof(host));
	} else {
		return 0;
	}
	if ((port != 0 || !bind) && nono_match_tcp(c->m, bind, port))
		return 0;
	if (!c->m->tcp_handled || !is_tcp(c->tid, fd))
		return 0;
	char target[sizeof(host) + 16];
	snprintf(target, sizeof(target), family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return deny(c->d, bind ? "bind" : "connect", target, EACCES);
}

static int kind_of(uint64_t nr)
{
	for (size_t i = 0; i < NONO_REC_COUNT; i++)
		if (nono_rec_syscalls[i].nr == nr)
			return nono_rec_syscalls[i].kind;
	return 0;
}

int nono_decode(const struct nono_match *m, pid_t tid, const struct nono_syscall *sc, int exact,
		struct nono_denial *d)
{
	if (sc->arch != NATIVE_ARCH)
		return 0;
	const struct ctx c = { m, tid, exact, d };
	const uint64_t *a = sc->args;
	int fs = m->handled_fs != 0;
	switch (kind_of(sc->nr)) {
	case REC_OPEN: return fs && check_open(&c, AT_FDCWD, a[0], a[1]);
	case REC_CREAT: return fs && check_open(&c, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC);
	case REC_OPENAT: return fs && check_open(&c, (int)a[0], a[1], a[2]);
	case REC_OPENAT2: {
		uint64_t how_flags;
		if (!fs || a[3] < sizeof(how_flags) || nono_rec_read_memory(tid, a[2], &how_flags, sizeof(how_flags)))
			return 0;
		return check_open(&c, (int)a[0], a[1], how_flags);
	}
	case REC_EXECVE: return fs && check_exec(&c, AT_FDCWD, a[0], 1);
	case REC_EXECVEAT: return fs && check_exec(&c, (int)a[0], a[1], !(a[4] & AT_SYMLINK_NOFOLLOW));
	case REC_MKDIR: return fs && check_create(&c, AT_FDCWD, a[0], S_IFDIR);
	case REC_MKDIRAT: return fs && check_create(&c, (int)a[0], a[1], S_IFDIR);
	case REC_MKNOD: return fs && check_create(&c, AT_FDCWD, a[0], (mode_t)a[1]);
	case REC_MKNODAT: return fs && check_create(&c, (int)a[0], a[1], (mode_t)a[2]);
	case REC_SYMLINK: return fs && check_create(&c, AT_FDCWD, a[1], S_IFLNK);
	case REC_SYMLINKAT: return fs && check_create(&c, (int)a[1], a[2], S_IFLNK);
	case REC_UNLINK: return fs && check_delete(&c, AT_FDCWD, a[0], 0);
	case REC_RMDIR: return fs && check_delete(&c, AT_FDCWD, a[0], 1);
	case REC_UNLINKAT: return fs && check_delete(&c, (int)a[0], a[1], (a[2] & AT_REMOVEDIR) != 0);
	case REC_TRUNCATE: return fs && check_truncate(&c, a[0]);
	case REC_RENAME: return fs && check_move(&c, AT_FDCWD, a[0], AT_FDCWD, a[1], 0, 0, 0);
	case REC_RENAMEAT: return fs && check_move(&c, (int)a[0], a[1], (int)a[2], a[3], 0, 0, 0);
	case REC_RENAMEAT2: return fs && check_move(&c, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4], 0, 0);
	case REC_LINK: return fs && check_move(&c, AT_FDCWD, a[0], AT_FDCWD, a[1], 0, 1, 0);
	case REC_LINKAT: return fs && check_move(&c, (int)a[0], a[1], (int)a[2], a[3], 0, 1,
						 (a[4] & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0);
	case REC_CONNECT: return check_socket_address(&c, (int)a[0], a[1], a[2], 0);
	case REC_BIND: return check_socket_address(&c, (int)a[0], a[1], a[2], 1);
	default: return 0;
	}
}

