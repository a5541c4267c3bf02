/* Describes the calls the sandbox's seccomp filter refused (socket families, listen, bind and
 * connect where nothing may be bound or connected, TCP Fast Open, io_uring, terminal injection,
 * 32-bit calls), for the denial report. */
#include "record.h"

#include "bpf.h"
#include "record_tracee.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static const char *family_name(unsigned family)
{
	switch (family) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case 16: return "AF_NETLINK";
	case 17: return "AF_PACKET";
	case 40: return "AF_VSOCK";
	default: return NULL;
	}
}

static const char *type_name(unsigned type)
{
	switch (type & 0xf) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	default: return NULL;
	}
}

#ifndef I386_ARCH
#define I386_ARCH 0 /* no i386 calls on this architecture */
#endif

void nono_record_format_inet(const struct sockaddr_storage *addr, char *target, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)addr;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(target, size, "%s:%u", host, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(target, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
}

/* A bind's or connect's address in the tracee, as the report writes it: ADDRESS:PORT,
 * [ADDRESS6]:PORT, a socket's path or @NAME. */
static void format_address(pid_t tid, uint64_t addr, uint64_t addrlen, char *target, size_t size)
{
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof(sa));
	size_t len = addrlen < sizeof(sa) ? (size_t)addrlen : sizeof(sa);
	snprintf(target, size, "-");
	if (len < sizeof(sa_family_t) || nono_rec_read_memory(tid, addr, &sa, len))
		return;
	if ((sa.ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
	    || (sa.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))) {
		nono_record_format_inet(&sa, target, size);
	} else if (sa.ss_family == AF_UNIX && len > sizeof(sa_family_t)) {
		const struct sockaddr_un *un = (const void *)&sa;
		int n = (int)(len - sizeof(sa_family_t));
		if (un->sun_path[0] == '\0')
			snprintf(target, size, "@%.*s", n - 1, un->sun_path + 1);
		else
			snprintf(target, size, "%.*s", n, un->sun_path);
	}
}

void nono_describe_refusal(pid_t tid, const struct nono_syscall *sc, int error, struct nono_denial *d)
{
	d->dest[0] = '\0';
	d->error = error;
	uint64_t nr = sc->nr;
	if (sc->arch == I386_ARCH) {
		/* Map the i386 numbers the filter refuses onto the native ones. */
#ifdef I386_SOCKET
		nr = nr == I386_SOCKET ? NR_SOCKET : nr == I386_SOCKETPAIR ? NR_SOCKETPAIR : nr == I386_IOCTL ? NR_IOCTL
		   : nr == I386_SENDTO ? NR_SENDTO : nr == I386_SENDMSG ? NR_SENDMSG : nr == I386_SENDMMSG ? NR_SENDMMSG
		   : nr == I386_LISTEN ? NR_LISTEN : nr == I386_BIND ? NR_BIND : nr == I386_CONNECT ? NR_CONNECT
		   : nr == I386_IO_URING_SETUP ? NR_IO_URING_SETUP
		   : nr == I386_SOCKETCALL ? 0x10000 : 0x20000 + nr;
#endif
	} else if (sc->arch != NATIVE_ARCH || (nr & 0x40000000U)) {
		nr = 0x20000 + (nr & 0xffff);
	}
	switch (nr) {
	case NR_SOCKET:
	case NR_SOCKETPAIR: {
		const char *family = family_name((unsigned)sc->args[0]);
		const char *type = type_name((unsigned)sc->args[1]);
		char f[16], t[16];
		if (!family)
			snprintf(f, sizeof(f), "AF_%u", (unsigned)sc->args[0]), family = f;
		if (!type)
			snprintf(t, sizeof(t), "SOCK_%u", (unsigned)sc->args[1] & 0xf), type = t;
		d->op = "socket";
		if ((unsigned)sc->args[2])
			snprintf(d->target, sizeof(d->target), "%s %s %u", family, type, (unsigned)sc->args[2]);
		else
			snprintf(d->target, sizeof(d->target), "%s %s", family, type);
		return;
	}
	case 0x10000:
		d->op = "socket";
		snprintf(d->target, sizeof(d->target), "socketcall");
		return;
	case NR_IO_URING_SETUP:
		d->op = "io_uring";
		snprintf(d->target, sizeof(d->target), "io_uring_setup");
		return;
	case NR_BIND:
	case NR_CONNECT:
		d->op = nr == NR_BIND ? "bind" : "connect";
		format_address(tid, sc->args[1], sc->args[2], d->target, sizeof(d->target));
		return;
	case NR_LISTEN:
		d->op = "listen";
		snprintf(d->target, sizeof(d->target), "listen without bind");
		return;
	case NR_SENDTO:
	case NR_SENDMSG:
	case NR_SENDMMSG:
		d->op = "connect";
		snprintf(d->target, sizeof(d->target), "MSG_FASTOPEN");
		return;
	case NR_IOCTL:
		d->op = "ioctl";
		snprintf(d->target, sizeof(d->target), "%s",
			 (unsigned)sc->args[1] == 0x5412 ? "TIOCSTI" : "TIOCLINUX");
		return;
	default:
		d->op = "syscall";
		if (sc->arch == I386_ARCH || sc->arch == NATIVE_ARCH)
			snprintf(d->target, sizeof(d->target), "%s %u",
				 sc->arch == I386_ARCH ? "i386" : "x32", (unsigned)(nr - 0x20000));
		else
			snprintf(d->target, sizeof(d->target), "arch 0x%x %u", sc->arch, (unsigned)(nr - 0x20000));
		return;
	}
}

