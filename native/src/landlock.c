#include "landlock.h"

#include "landlock_rights.h"
#include "landlock_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long ll_create(const struct nono_ll_ruleset_attr *attr, size_t size, uint32_t flags)
{
	return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

int nono_landlock_abi(void)
{
	long abi = ll_create(NULL, 0, NONO_LL_CREATE_RULESET_VERSION);
	if (abi < 0)
		return 0;
	return abi > NONO_LL_ABI_KNOWN ? NONO_LL_ABI_KNOWN : (int)abi;
}

int nono_landlock_errata(void)
{
	long errata = ll_create(NULL, 0, NONO_LL_CREATE_RULESET_ERRATA);
	return errata < 0 ? -1 : (int)errata;
}

/* O_PATH descriptors opened without libc: musl's open() adds an fcntl per call for O_CLOEXEC. */
static int open_path(const char *path, int flags)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_PATH | O_CLOEXEC | flags);
}

/* Returns the rule's O_PATH descriptor (the caller closes it), or -1 with err set. */
static int add_path_rule(int ruleset, const struct nono_path_rule *rule, uint64_t handled,
			 struct nono_error *err)
{
	uint64_t access = nono_fs_rights(rule->access);

	int fd = open_path(rule->path, 0);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? nono_fail(err, "path not found", rule->path)
			: nono_fail_errno(err, "cannot open path", errno, rule->path);
	/* The kernel refuses directory rights on a file with EINVAL: then the file's own rights
	 * are granted. Cheaper than an fstat or a second open per path. */
	struct nono_ll_path_beneath_attr attr = {
		.allowed_access = access & handled,
		.parent_fd = fd,
	};
	long rc = attr.allowed_access
		? syscall(__NR_landlock_add_rule, ruleset, NONO_LL_RULE_PATH_BENEATH, &attr, 0) : 0;
	if (rc && errno == EINVAL && (attr.allowed_access & FS_FILE) != attr.allowed_access) {
		attr.allowed_access &= FS_FILE;
		rc = attr.allowed_access
			? syscall(__NR_landlock_add_rule, ruleset, NONO_LL_RULE_PATH_BENEATH, &attr, 0) : 0;
	}
	if (rc) {
		int saved = errno;
		close(fd);
		return nono_fail_errno(err, "the kernel refused a path rule", saved, rule->path);
	}
	return fd;
}

/* Closes the rule descriptors [first, last]. With batching (nono-exec, which closes every
 * descriptor above 2 before exec anyway) one close_range per batch replaces a close per rule. */
static void close_rule_fds(int first, int last)
{
#ifdef SYS_close_range
	if (first <= last && syscall(SYS_close_range, (unsigned)first, (unsigned)last, 0U) == 0)
		return;
#endif
	for (int fd = first; fd <= last; fd++)
		close(fd);
}

static int add_port_rules(int ruleset, const uint16_t *ports, size_t count, uint64_t access,
			  struct nono_error *err)
{
	for (size_t i = 0; i < count; i++) {
		struct nono_ll_net_port_attr attr = { .allowed_access = access, .port = ports[i] };
		if (syscall(__NR_landlock_add_rule, ruleset, NONO_LL_RULE_NET_PORT, &attr, 0)) {
			char port[8];
			snprintf(port, sizeof(port), "%u", ports[i]);
			return nono_fail_errno(err, "the kernel refused a port rule", errno, port);
		}
	}
	return 0;
}

int nono_landlock_ruleset(const struct nono_policy *p, int abi, int batch_close,
			  int per_thread, struct nono_error *err)
{
	struct nono_ll_handled handled = nono_ll_handled(abi);
	struct nono_ll_ruleset_attr attr = { .handled_access_fs = handled.fs };
	if (!p->net_all)
		attr.handled_access_net = handled.net;
	if (handled.scoped) {
		/* Threads that restricted themselves one by one have sibling domains; before
		 * erratum 2 the signal scope then refused signals between them, which the .NET
		 * runtime needs (GC suspension). */
		int errata = per_thread ? nono_landlock_errata() : 0;
		if (!per_thread || (errata > 0 && (errata & (1 << 1))))
			attr.scoped = handled.scoped & NONO_LL_SCOPE_SIGNAL;
		if (!p->allow_unix)
			attr.scoped |= handled.scoped & NONO_LL_SCOPE_ABSTRACT_UNIX_SOCKET;
	}
	size_t size = abi >= 6 ? sizeof(attr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);

	int ruleset = (int)ll_create(&attr, size, 0);
	if (ruleset < 0)
		return nono_fail_errno(err, "cannot create a Landlock ruleset", errno, "landlock_create_ruleset");
	int first = -1, last = -1;
	for (size_t i = 0; i < p->path_count; i++) {
		int fd = add_path_rule(ruleset, &p->paths[i], attr.handled_access_fs, err);
		if (fd < 0) {
			close_rule_fds(first, last);
			goto fail;
		}
		if (!batch_close) {
			close(fd);
			continue;
		}
		first = first < 0 || fd < first ? fd : first;
		last = fd > last ? fd : last;
		if (last - first >= 255) {
			close_rule_fds(first, last);
			first = last = -1;
		}
	}
	close_rule_fds(first, last);
	if (attr.handled_access_net &&
	    (add_port_rules(ruleset, p->connect_ports, p->connect_count, NONO_LL_NET_CONNECT_TCP, err) ||
	     add_port_rules(ruleset, p->bind_ports, p->bind_count, NONO_LL_NET_BIND_TCP, err)))
		goto fail;
	return ruleset;
fail:
	close(ruleset);
	return -1;
}

int nono_landlock_restrict_self(int ruleset_fd)
{
	return (int)syscall(__NR_landlock_restrict_self, ruleset_fd, 0);
}

int nono_landlock_is_ruleset(int fd)
{
	static const char kind[] = "anon_inode:[landlock-ruleset]";
	char link[32], target[sizeof(kind)];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target));
	return n == (ssize_t)sizeof(kind) - 1 && memcmp(target, kind, (size_t)n) == 0;
}
