#include "policy_match.h"

#include "landlock_rights.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t nono_fd_path(int fd, char *buf, size_t size)
{
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	return n;
}

int nono_match_init(struct nono_match *m, const struct nono_policy *p, int abi)
{
	*m = (struct nono_match){ .policy = p, .handled_fs = nono_fs_handled(abi) };
	m->tcp_handled = !p->net_all && abi >= 4;
	if (p->path_count == 0)
		return 0;
	m->rules = calloc(p->path_count, sizeof(*m->rules));
	if (!m->rules)
		return -1;
	char path[4096];
	for (size_t i = 0; i < p->path_count; i++) {
		int fd = open(p->paths[i].path, O_PATH | O_CLOEXEC);
		struct stat st;
		ssize_t len = fd < 0 ? -1 : nono_fd_path(fd, path, sizeof(path));
		int ok = len > 0 && path[0] == '/' && fstat(fd, &st) == 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			continue;
		struct nono_match_rule *r = &m->rules[m->count];
		r->path = strdup(path);
		if (!r->path)
			return -1;
		r->len = (size_t)len;
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		r->is_dir = S_ISDIR(st.st_mode);
		r->rights = nono_fs_rights(p->paths[i].access) & (r->is_dir ? FS_ALL : FS_FILE);
		m->count++;
	}
	return 0;
}

/* Whether dir is path or one of its ancestors. */
static int is_beneath(const char *path, const char *dir, size_t dir_len)
{
	if (strncmp(path, dir, dir_len) != 0)
		return 0;
	return path[dir_len] == '\0' || path[dir_len] == '/' || (dir_len == 1 && dir[0] == '/');
}

/* Rights of the rules on the inode at path; self: path is the object (file rules count). */
static uint64_t inode_rights(const struct nono_match *m, const char *path, int self)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	uint64_t rights = 0;
	for (size_t i = 0; i < m->count; i++) {
		const struct nono_match_rule *r = &m->rules[i];
		if (r->dev == st.st_dev && r->ino == st.st_ino && (r->is_dir || self))
			rights |= r->rights;
	}
	return rights;
}

uint64_t nono_match_own_rights(const struct nono_match *m, const char *path, int exact)
{
	if (exact)
		return inode_rights(m, path, 1);
	uint64_t rights = 0;
	for (size_t i = 0; i < m->count; i++)
		if (!strcmp(m->rules[i].path, path))
			rights |= m->rules[i].rights;
	return rights;
}

uint64_t nono_match_rights(const struct nono_match *m, const char *path, int exact)
{
	uint64_t rights = ~m->handled_fs;
	if (path[0] != '/')
		return ~0ULL; /* pipes, sockets, anonymous inodes: not Landlock's to deny */
	if (!exact) {
		for (size_t i = 0; i < m->count; i++) {
			const struct nono_match_rule *r = &m->rules[i];
			if (r->is_dir ? is_beneath(path, r->path, r->len) : !strcmp(path, r->path))
				rights |= r->rights;
		}
		return rights;
	}
	/* Landlock walks from the object up to the root, uniting the rules of every inode. */
	char walk[4096];
	size_t len = strlen(path);
	if (len >= sizeof(walk))
		return rights;
	memcpy(walk, path, len + 1);
	for (int self = 1;; self = 0) {
		rights |= inode_rights(m, walk, self);
		char *slash = strrchr(walk, '/');
		if (!slash || (slash == walk && walk[1] == '\0'))
			break;
		slash[slash == walk ? 1 : 0] = '\0';
	}
	return rights;
}

int nono_match_tcp(const struct nono_match *m, int bind, unsigned port)
{
	if (!m->tcp_handled)
		return 1;
	const uint16_t *ports = bind ? m->policy->bind_ports : m->policy->connect_ports;
	size_t count = bind ? m->policy->bind_count : m->policy->connect_count;
	for (size_t i = 0; i < count; i++)
		if (ports[i] == port)
			return 1;
	return 0;
}
