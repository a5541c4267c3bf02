/* --unix-own: the supervisor makes every connect() and bind() of the command's processes.
 *
 * Landlock before ABI 9 does not mediate connecting to a pathname Unix socket, so a sandboxed
 * build could otherwise reach any socket of the machine: docker.sock (root on the host), the
 * D-Bus buses, or an MSBuild node or compiler server an earlier, unsandboxed build left
 * running, which would then run the sandboxed build's tasks and compilations outside it.
 *
 * The seccomp filter (seccomp.c) turns connect() into a user notification. For each, this
 * supervisor, outside the command's Landlock domain:
 *   1. reads the address once from the caller's memory into its own copy; nothing is decided
 *      on memory the caller can still change, and the call is never continued in the caller
 *      (SECCOMP_USER_NOTIF_FLAG_CONTINUE would make the kernel read the address again);
 *   2. takes the caller's socket (pidfd_getfd), checking that the notification is still valid
 *      after each step, so a recycled pid cannot stand in for the caller;
 *   3. decides on its copy, and connects the caller's socket itself, or refuses:
 *      - a pathname Unix socket: opened once (O_PATH) so that the file checked is the file
 *        connected to (through /proc/self/fd/N, whatever renames or symlinks follow); allowed
 *        if its real path is one --unix-connect names, or if the process listening on it is
 *        one of the command's own (the kernel's socket diagnostics name the socket listening
 *        on the file, the descendants' descriptors say whose it is); a socket of the
 *        supervisor's is then connected and put in place of the caller's;
 *      - an abstract or unnamed Unix address: refused (nothing of a build uses them);
 *      - TCP: allowed with --net all, to a --connect-tcp port, or to a --connect-tcp-addr
 *        address and port (the port rules Landlock would have applied in the caller);
 *        and to a loopback port that only the command's own processes listen on (a test
 *        host reaching its runner; /proc/net/tcp names the listening socket, the command's
 *        descriptors say whose it is);
 *      - UDP (--allow-udp): allowed, as sendto() reaches any address anyway;
 *   4. replies with the connect's own result, errno included (EINPROGRESS for a non-blocking
 *      socket: the caller polls its socket, which is the one connected).
 * A bind() is decided on the same copies (bind_socket):
 *      - a pathname Unix socket that --unix-bind names (MSBuild's node pipes, the compiler
 *        server's, fixed in /tmp whatever TMPDIR says): bound here, outside the sandbox;
 *      - an abstract name: refused, as Landlock does not see it and an outside client could
 *        take it for its server's; a relative path: refused, as for connect;
 *      - anything else: bound by a child of this process that enters the command's Landlock
 *        domain first, so the kernel checks it as in the command (a socket file beneath
 *        --sockets, a --bind-tcp port), never on an address or socket the caller swapped since.
 * The connect runs in this single-threaded supervisor: a slow TCP connect delays the others. */
#include "mediate.h"

#include "bpf.h"
#include "landlock.h"
#include "record.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* linux/seccomp.h, which musl does not ship. */
struct nono_seccomp_data {
	int nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct nono_seccomp_notif {
	uint64_t id;
	uint32_t pid;
	uint32_t flags;
	struct nono_seccomp_data data;
};

struct nono_seccomp_notif_resp {
	uint64_t id;
	int64_t val;
	int32_t error;
	uint32_t flags;
};

#define NOTIF_IOC_MAGIC '!'
#define NOTIF_RECV _IOWR(NOTIF_IOC_MAGIC, 0, struct nono_seccomp_notif)
#define NOTIF_SEND _IOWR(NOTIF_IOC_MAGIC, 1, struct nono_seccomp_notif_resp)
#define NOTIF_ID_VALID _IOW(NOTIF_IOC_MAGIC, 2, uint64_t)
#define USER_NOTIF_FLAG_CONTINUE 1U /* --audit only: the kernel runs the caller's call */

/* Linux 5.9: a descriptor of the supervisor's put into the caller's table. */
struct nono_seccomp_notif_addfd {
	uint64_t id;
	uint32_t flags;
	uint32_t srcfd;
	uint32_t newfd;
	uint32_t newfd_flags;
};

#define NOTIF_ADDFD _IOW(NOTIF_IOC_MAGIC, 3, struct nono_seccomp_notif_addfd)
#define ADDFD_FLAG_SETFD 1U /* at newfd, replacing what the caller had there */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int still_valid(int listener, uint64_t id)
{
	return ioctl(listener, NOTIF_ID_VALID, &id) == 0;
}

/* The number after "key:\t" in /proc/PID/status, or -1. */
static long status_field(pid_t pid, const char *key)
{
	char path[64], text[2048];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	const char *at = strstr(text, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* Appends the children of every thread of pid to pids. */
static void add_children(pid_t pid, pid_t *pids, size_t *count, size_t max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *tasks = opendir(path);
	if (!tasks)
		return;
	for (struct dirent *task; (task = readdir(tasks));) {
		if (task->d_name[0] < '0' || task->d_name[0] > '9')
			continue;
		char list_path[384], list[4096];
		snprintf(list_path, sizeof(list_path), "/proc/%d/task/%s/children", (int)pid, task->d_name);
		int fd = open(list_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, list, sizeof(list) - 1);
		close(fd);
		list[n > 0 ? n : 0] = '\0';
		for (char *at = list, *end; *at && *count < max; at = end) {
			long child = strtol(at, &end, 10);
			if (end == at)
				break;
			pids[(*count)++] = (pid_t)child;
		}
	}
	closedir(tasks);
}

/* Whether a process of the command's tree (this supervisor's descendants) holds the socket
 * with this inode. */
static int tree_holds_socket(unsigned long inode)
{
	enum { MAX = 4096 };
	static pid_t pids[MAX];
	size_t count = 0;
	char wanted[48];
	snprintf(wanted, sizeof(wanted), "socket:[%lu]", inode);
	add_children(getpid(), pids, &count, MAX);
	for (size_t i = 0; i < count; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pids[i]);
		DIR *fds = opendir(path);
		if (fds) {
			for (struct dirent *fd; (fd = readdir(fds));) {
				char link[384], target[64];
				snprintf(link, sizeof(link), "%s/%s", path, fd->d_name);
				ssize_t n = readlink(link, target, sizeof(target) - 1);
				if (n > 0 && (target[n] = '\0', strcmp(target, wanted) == 0)) {
					closedir(fds);
					return 1;
				}
			}
			closedir(fds);
		}
		add_children(pids[i], pids, &count, MAX);
	}
	return 0;
}

/* Whether the real path of the socket file open on fd (symlinks resolved: a link the command
 * planted does not make another socket allowed) is, or is beneath, a --unix-connect path. */
static int named_socket_allowed(const struct nono_policy *p, int fd)
{
	char link[64], real[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0)
		return 0;
	real[n] = '\0';
	for (size_t i = 0; i < p->unix_path_count; i++) {
		const char *allowed = p->unix_paths[i];
		size_t len = strlen(allowed);
		while (len > 1 && allowed[len - 1] == '/')
			len--;
		if (strncmp(real, allowed, len) == 0 && (real[len] == '\0' || real[len] == '/'))
			return 1;
	}
	return 0;
}

/* The caller's descriptor flags: whether fd is close-on-exec in process tgid. */
static int caller_cloexec(long tgid, int fd)
{
	char path[64], text[256];
	snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%d", tgid, fd);
	int info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return 1;
	ssize_t n = read(info, text, sizeof(text) - 1);
	close(info);
	text[n > 0 ? n : 0] = '\0';
	const char *flags = strstr(text, "flags:");
	return flags ? (strtol(flags + 6, NULL, 8) & O_CLOEXEC) != 0 : 1;
}

/* linux/netlink.h, linux/sock_diag.h, linux/unix_diag.h, which musl does not ship. */
struct nono_nlmsghdr {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
};
struct nono_unix_diag_req {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show, cookie[2];
};
struct nono_unix_diag_msg {
	uint8_t family, type, state, pad;
	uint32_t ino, cookie[2];
};
struct nono_rtattr {
	uint16_t len, type;
};
#define NETLINK_SOCK_DIAG_ 4
#define SOCK_DIAG_BY_FAMILY_ 20
#define NLM_F_REQUEST_ 1
#define NLM_F_DUMP_ 0x300
#define NLMSG_DONE_ 3
#define NLMSG_ERROR_ 2
#define UDIAG_SHOW_VFS_ 2
#define UNIX_DIAG_VFS_ 1
#define TCP_LISTEN_ 10
#define ALIGN4(n) (((n) + 3U) & ~3U)

/* The socket inode of the Unix socket listening on the file (device, inode), from the kernel's
 * socket diagnostics; 0 if none listens there. No connection is made to find out. */
static unsigned long listening_socket_of(dev_t dev, ino_t ino)
{
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG_);
	if (nl < 0)
		return 0;
	struct {
		struct nono_nlmsghdr h;
		struct nono_unix_diag_req r;
	} request = {
		.h = { sizeof(request), SOCK_DIAG_BY_FAMILY_, NLM_F_REQUEST_ | NLM_F_DUMP_, 1, 0 },
		.r = { .family = AF_UNIX, .states = 1U << TCP_LISTEN_, .show = UDIAG_SHOW_VFS_ },
	};
	unsigned long found = 0;
	if (send(nl, &request, sizeof(request), 0) != (ssize_t)sizeof(request)) {
		close(nl);
		return 0;
	}
	static char buf[32768];
	for (int done = 0; !done;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (size_t at = 0; at + sizeof(struct nono_nlmsghdr) <= (size_t)n;) {
			const struct nono_nlmsghdr *h = (const void *)(buf + at);
			if (h->len < sizeof(*h) || at + h->len > (size_t)n || h->type == NLMSG_DONE_ || h->type == NLMSG_ERROR_) {
				done = 1;
				break;
			}
			const struct nono_unix_diag_msg *m = (const void *)(h + 1);
			size_t attrs = sizeof(*h) + ALIGN4(sizeof(*m));
			for (size_t a = attrs; a + sizeof(struct nono_rtattr) <= h->len;) {
				const struct nono_rtattr *rta = (const void *)((const char *)h + a);
				if (rta->len < sizeof(*rta))
					break;
				if (rta->type == UNIX_DIAG_VFS_ && rta->len >= sizeof(*rta) + 8) {
					uint32_t vfs[2];
					memcpy(vfs, rta + 1, sizeof(vfs));
					/* The kernel's own device number (major << 20 | minor), not stat's encoding. */
					uint32_t kernel_dev = (uint32_t)((major(dev) << 20) | minor(dev));
					if (vfs[0] == (uint32_t)ino && vfs[1] == kernel_dev)
						found = m->ino;
				}
				a += ALIGN4(rta->len);
			}
			at += ALIGN4(h->len);
		}
	}
	close(nl);
	return found;
}

/* A pathname Unix socket. A new socket of this process's own is connected to it and checked
 * (the listener must be the command's own process, or the path one --unix-connect names); only
 * then does it replace the caller's socket, under the same descriptor number
 * (SECCOMP_IOCTL_NOTIF_ADDFD). The caller never holds a socket connected to a stranger, not
 * even for a moment, and the listener sees exactly one connection. Returns 0 or an errno. */
static int connect_unix(const struct nono_policy *p, int listener, const struct nono_seccomp_notif *req,
			long tgid, int sock, const struct sockaddr_un *addr, socklen_t len, char *target, size_t target_size)
{
	size_t path_len = len - offsetof(struct sockaddr_un, sun_path);
	if (path_len > sizeof(addr->sun_path))
		return EINVAL;
	if (path_len == 0)
		return EACCES; /* unnamed */
	char path[sizeof(addr->sun_path) + 1];
	memcpy(path, addr->sun_path, path_len);
	path[path_len] = '\0';
	if (path[0] == '\0') {
		snprintf(target, target_size, "@%.*s", (int)(path_len - 1), path + 1); /* abstract: @name */
		return EACCES;
	}
	snprintf(target, target_size, "%s", path);
	if (path[0] != '/')
		return EACCES; /* relative to the caller's directory, which this process does not share */

	int file = open(path, O_PATH | O_CLOEXEC);
	if (file < 0)
		return errno;
	/* The report names the socket's real path (a symlink the command planted is followed). */
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", file);
	ssize_t real = readlink(link, target, target_size - 1);
	if (real > 0)
		target[real] = '\0';
	struct stat st;
	if (fstat(file, &st) || !S_ISSOCK(st.st_mode)) {
		close(file);
		return ECONNREFUSED;
	}
	/* The connect goes to this very file, whatever renames or symlinks follow. */
	struct sockaddr_un via = { .sun_family = AF_UNIX };
	snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", file);
	socklen_t via_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(via.sun_path) + 1);

	int type = 0;
	socklen_t type_len = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &type_len) || (type != SOCK_STREAM && type != SOCK_SEQPACKET)) {
		close(file);
		return EACCES;
	}
	/* Who listens there, found without connecting: a listener outside never sees a thing. */
	int error = 0;
	int named = named_socket_allowed(p, file);
	if (!named) {
		unsigned long listening = listening_socket_of(st.st_dev, st.st_ino);
		if (listening == 0)
			error = ECONNREFUSED;
		else if (!tree_holds_socket(listening))
			error = EACCES;
	}
	int mine = error ? -1 : socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (!error && mine < 0)
		error = errno;
	else if (!error && connect(mine, (struct sockaddr *)&via, via_len))
		error = errno;
	close(file);
	/* The file's inode is the listener's for as long as it lives (another bind makes another
	 * file), so the socket connected through it is the one checked above. */
	if (!error) {
		int status = fcntl(sock, F_GETFL);
		if (status >= 0 && (status & O_NONBLOCK))
			fcntl(mine, F_SETFL, fcntl(mine, F_GETFL) | O_NONBLOCK);
		struct nono_seccomp_notif_addfd add = {
			.id = req->id,
			.flags = ADDFD_FLAG_SETFD,
			.srcfd = (uint32_t)mine,
			.newfd = (uint32_t)req->data.args[0],
			.newfd_flags = caller_cloexec(tgid, (int)req->data.args[0]) ? O_CLOEXEC : 0,
		};
		if (ioctl(listener, NOTIF_ADDFD, &add) < 0)
			error = errno == ENOENT ? ESRCH : errno;
	}
	if (mine >= 0)
		close(mine);
	return error;
}

/* Whether every TCP socket listening on port (IPv4 and IPv6, any address) belongs to the
 * command's own processes, and there is one: a test host reaching its runner over loopback. */
static int listener_is_own(uint16_t port)
{
	int found = 0;
	const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	for (size_t t = 0; t < 2; t++) {
		FILE *table = fopen(tables[t], "re");
		if (!table)
			continue;
		char line[512];
		while (fgets(line, sizeof(line), table)) {
			unsigned local_port, state;
			unsigned long inode;
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*s %*s %*s %*u %*u %lu",
				   &local_port, &state, &inode) != 3)
				continue;
			if (local_port != port || state != 0x0A /* LISTEN */)
				continue;
			if (!tree_holds_socket(inode)) {
				fclose(table);
				return 0;
			}
			found = 1;
		}
		fclose(table);
	}
	return found;
}

static int is_loopback(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static int tcp_allowed(const struct nono_policy *p, const struct sockaddr_storage *addr)
{
	if (p->net_all)
		return 1;
	uint16_t port;
	const void *ip;
	size_t ip_len;
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)addr;
		port = ntohs(in->sin_port);
		ip = &in->sin_addr;
		ip_len = 4;
	} else {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		port = ntohs(in6->sin6_port);
		ip = &in6->sin6_addr;
		ip_len = 16;
	}
	/* A dual-stack socket (.NET's default) names an IPv4 address as ::ffff:a.b.c.d. */
	int family = addr->ss_family;
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)ip)) {
		family = AF_INET;
		ip = (const unsigned char *)ip + 12;
		ip_len = 4;
	}
	for (size_t i = 0; i < p->connect_count; i++)
		if (p->connect_ports[i] == port)
			return 1;
	for (size_t i = 0; i < p->tcp_addr_count; i++) {
		const struct nono_tcp_addr *a = &p->tcp_addrs[i];
		if (a->family == family && a->port == port && memcmp(a->addr, ip, ip_len) == 0)
			return 1;
	}
	/* Among the command's own processes over loopback (a test host and its runner). */
	return is_loopback(addr) && listener_is_own(port);
}

static int is_datagram(int sock)
{
	int type = 0;
	socklen_t len = sizeof(type);
	return getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM;
}

/* Reads len bytes at the caller's address into buf. Returns 0 or an errno. */
static int read_caller(pid_t pid, uint64_t remote, void *buf, size_t len)
{
	struct iovec local_iov = { buf, len };
	struct iovec remote_iov = { (void *)(uintptr_t)remote, len };
	ssize_t n = process_vm_readv(pid, &local_iov, 1, &remote_iov, 1, 0);
	return n == (ssize_t)len ? 0 : EFAULT;
}

/* Whether s is a random GUID's 32 lowercase hexadecimal digits and nothing more, as .NET's
 * Guid.NewGuid().ToString("N") writes it: version 4 (digit 13 is '4'), RFC 4122 variant
 * (digit 17 is one of 8, 9, a, b). */
static int is_guid_n(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (i == 32 || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 32 && s[12] == '4' && strchr("89ab", s[16]) != NULL;
}

/* Whether path is a socket --unix-bind names for the process tgid ("%p": its pid; "%g": a
 * random GUID's 32 hexadecimal digits). */
static int bind_name_allowed(const struct nono_policy *p, const char *path, long tgid)
{
	char pid[24];
	snprintf(pid, sizeof(pid), "%ld", tgid);
	for (size_t i = 0; i < p->unix_bind_count; i++) {
		const char *name = p->unix_binds[i];
		size_t len = strlen(name);
		if (len >= 2 && strcmp(name + len - 2, "%p") == 0) {
			if (strncmp(path, name, len - 2) == 0 && strcmp(path + len - 2, pid) == 0)
				return 1;
		} else if (len >= 2 && strcmp(name + len - 2, "%g") == 0) {
			if (strncmp(path, name, len - 2) == 0 && is_guid_n(path + len - 2))
				return 1;
		} else if (strcmp(path, name) == 0) {
			return 1;
		}
	}
	return 0;
}

/* bind() by a child of this process that enters the command's Landlock domain (ruleset_fd;
 * -1: none, as under --audit) first: the kernel checks this copy of the address as it would
 * have in the command. Returns 0 or an errno. */
static int bind_as_command(int ruleset_fd, int sock, const struct sockaddr_storage *addr, socklen_t len)
{
	pid_t child = fork();
	if (child < 0)
		return errno;
	if (child == 0) {
		if (ruleset_fd >= 0 && nono_landlock_restrict_self(ruleset_fd))
			_exit(EACCES);
		_exit(bind(sock, (const struct sockaddr *)addr, len) ? errno : 0);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return EACCES;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EACCES;
}

/* Binds the caller's socket (see the top of this file). Returns 0 or an errno; on EACCES,
 * *op and target name what was refused: the recorder's "create PATH" for a socket file,
 * "bind @NAME" or "bind ADDRESS:PORT" otherwise. */
static int bind_socket(const struct nono_policy *p, int ruleset_fd, long tgid, int sock,
		       const struct sockaddr_storage *addr, socklen_t len, const char **op, char *target, size_t target_size)
{
	int domain = 0;
	socklen_t domain_len = sizeof(domain);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &domain_len))
		return errno;
	*op = "bind";
	size_t path_len = len - offsetof(struct sockaddr_un, sun_path);
	if (domain != AF_UNIX || path_len == 0) {
		/* path_len 0: a Unix socket's autobind, to a random abstract name no client looks for. */
		if ((domain == AF_INET || domain == AF_INET6) && addr->ss_family == domain)
			nono_record_format_inet(addr, target, target_size);
		return bind_as_command(ruleset_fd, sock, addr, len);
	}
	const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
	if (addr->ss_family != AF_UNIX || path_len > sizeof(un->sun_path))
		return EINVAL;
	char path[sizeof(un->sun_path) + 1];
	memcpy(path, un->sun_path, path_len);
	path[path_len] = '\0';
	if (path[0] == '\0') {
		snprintf(target, target_size, "@%.*s", (int)(path_len - 1), path + 1);
		return EACCES;
	}
	*op = "create";
	snprintf(target, target_size, "%s", path);
	if (path[0] != '/')
		return EACCES;
	if (bind_name_allowed(p, path, tgid))
		return bind(sock, (const struct sockaddr *)addr, len) ? errno : 0;
	return bind_as_command(ruleset_fd, sock, addr, len);
}

/* Decides one notification, a connect() or a bind(). Returns 0 (done) or the errno to reply;
 * on EACCES, target names what was refused (nothing was connected or bound). */
static int decide(const struct nono_policy *p, int listener, int ruleset_fd, const struct nono_seccomp_notif *req,
		  const char **op, char *target, size_t target_size)
{
	int fd = (int)req->data.args[0];
	uint64_t len = req->data.args[2];
	struct sockaddr_storage addr;
	if (len < sizeof(sa_family_t) || len > sizeof(addr))
		return EINVAL;
	memset(&addr, 0, sizeof(addr));
	int error = read_caller((pid_t)req->pid, req->data.args[1], &addr, (size_t)len);
	if (error)
		return error;
	if (!still_valid(listener, req->id))
		return ESRCH;

	/* The caller's socket, from its process (req->pid is the calling thread). */
	long tgid = status_field((pid_t)req->pid, "Tgid:");
	int pidfd = tgid > 0 ? (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0) : -1;
	if (pidfd < 0)
		return ESRCH;
	int sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	error = sock < 0 ? (errno == EBADF ? EBADF : ESRCH) : 0;
	close(pidfd);
	if (error)
		return error;
	if (!still_valid(listener, req->id)) {
		close(sock);
		return ESRCH;
	}
	if (req->data.nr == NR_BIND) {
		error = bind_socket(p, ruleset_fd, tgid, sock, &addr, (socklen_t)len, op, target, target_size);
		close(sock);
		return error;
	}

	switch (addr.ss_family) {
	case AF_UNIX:
		error = connect_unix(p, listener, req, tgid, sock, (const struct sockaddr_un *)&addr, (socklen_t)len,
				     target, target_size);
		break;
	case AF_INET:
	case AF_INET6:
		if (is_datagram(sock) ? !p->allow_udp && !p->net_all : !tcp_allowed(p, &addr)) {
			error = EACCES;
			nono_record_format_inet(&addr, target, target_size);
		} else if (connect(sock, (struct sockaddr *)&addr, (socklen_t)len))
			error = errno;
		break;
	case AF_UNSPEC:
		/* Dissolves a datagram socket's association: connects nothing. */
		if (connect(sock, (struct sockaddr *)&addr, (socklen_t)len))
			error = errno;
		break;
	default:
		error = EAFNOSUPPORT;
	}
	close(sock);
	return error;
}

/* Refused connections already written to the report (each target once per run, as the
 * recorder does), by a hash of the target; past the limit, nothing more is written. */
#define REPORTED_MAX 1024
static uint64_t reported[REPORTED_MAX];
static size_t reported_count;

static void report_refusal(int report, pid_t tid, const char *op, const char *target)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *c = (const unsigned char *)target; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	for (size_t i = 0; i < reported_count; i++)
		if (reported[i] == h)
			return;
	if (reported_count == REPORTED_MAX)
		return;
	reported[reported_count++] = h;
	static struct nono_denial d;
	static char line[NONO_REC_LINE];
	d.op = op;
	snprintf(d.target, sizeof(d.target), "%s", target[0] ? target : "-");
	d.dest[0] = '\0';
	d.error = EACCES;
	size_t len = nono_record_line(line, sizeof(line), tid, &d);
	/* One write(2) per line on an O_APPEND file: lines of the tracer's and this process's
	 * do not interleave. */
	if (write(report, line, len) < 0)
		return;
}

void nono_mediate_one(const struct nono_policy *p, int listener, int ruleset_fd, int report)
{
	struct nono_seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, NOTIF_RECV, &req))
		return; /* ENOENT: the caller is gone (a signal, or killed) */
	struct nono_seccomp_notif_resp resp = { .id = req.id };
	if ((req.data.nr != NR_CONNECT && req.data.nr != NR_BIND) || req.data.arch != NATIVE_ARCH) {
		resp.error = -ENOSYS; /* the filter sends nothing else */
	} else {
		char target[PATH_MAX] = "";
		const char *op = "connect";
		int error = decide(p, listener, ruleset_fd, &req, &op, target, sizeof(target));
		if (error == EACCES && report >= 0)
			report_refusal(report, (pid_t)req.pid, op, target);
		resp.error = error ? -error : 0;
		/* --audit: nothing is enforced. A connect or bind the policy refuses is the caller's
		 * own call, continued by the kernel (which reads the address again: nothing is decided
		 * on it any more). One it allows was made here, as when enforcing. */
		if (p->audit && error == EACCES) {
			resp.error = 0;
			resp.flags = USER_NOTIF_FLAG_CONTINUE;
		}
	}
	ioctl(listener, NOTIF_SEND, &resp);
}
