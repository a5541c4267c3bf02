#include "seccomp.h"

#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TIOCSTI_ 0x5412
#define TIOCLINUX_ 0x541C
#define MSG_FASTOPEN_ 0x20000000U
#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_STREAM_ 1
#define SOCK_DGRAM_ 2
#define SOCK_SEQPACKET_ 5
#define SOCK_TYPE_MASK 0xf
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define ALLOW SECCOMP_RET_ALLOW
#define REFUSE(error) (SECCOMP_RET_ERRNO | (error))

/* Jump targets. SKIP, BLOCK_REFUSE, PAIR_OK and OTHER_ARCH are local: each block places them
 * at its own end. The others are the filter's shared exits, placed once at the end. */
enum label {
	NEXT = NONO_BPF_NEXT,
	SKIP,         /* past this block: the call is not the one it is about */
	BLOCK_REFUSE, /* this block's refusal */
	PAIR_OK,      /* a socketpair of a connected type */
	OTHER_ARCH,   /* past rules for another architecture */
	NATIVE,       /* the native architecture's socket rules */
	SOCKET,       /* socket(): check the family */
	INET,         /* socket(AF_INET or AF_INET6): check for TCP */
	UNIX,         /* socket(AF_UNIX) under --unix-own: check for a connected type */
	UDP,          /* socket(AF_INET or AF_INET6, SOCK_DGRAM) under --allow-udp: check for UDP */
	EXIT_ALLOW,
	EXIT_EACCES,
	EXIT_ENOSYS,
};

struct sock_fprog_ {
	unsigned short len;
	const struct nono_bpf_insn *filter;
};

/* socketpair() makes AF_UNIX sockets without socket(). Stream and seqpacket pairs stay
 * connected to each other; a datagram pair (SOCK_DGRAM, or SOCK_RAW, which AF_UNIX turns
 * into SOCK_DGRAM) can sendto() any pathname socket, which Landlock does not mediate. */
static void refuse_datagram_socketpairs(struct nono_bpf *b)
{
	bpf_load_arg(b, 1);
	bpf_stmt(b, BPF_AND_K, SOCK_TYPE_MASK);
	bpf_jump(b, BPF_JEQ_K, SOCK_STREAM_, PAIR_OK, NEXT);
	bpf_jump(b, BPF_JEQ_K, SOCK_SEQPACKET_, PAIR_OK, NEXT);
	bpf_ret(b, REFUSE(EACCES));
	bpf_label(b, PAIR_OK);
	bpf_ret(b, ALLOW);
}

/* Each block below loads what it tests itself and goes on to the next block when it does not
 * apply, so blocks can be placed in any order. */
static void refuse_call(struct nono_bpf *b, uint32_t nr, uint32_t action)
{
	bpf_load_nr(b);
	bpf_jump(b, BPF_JEQ_K, nr, NEXT, SKIP);
	bpf_ret(b, action);
	bpf_label(b, SKIP);
}

/* ioctl(fd, TIOCSTI or TIOCLINUX): typing into the terminal the build inherited would run
 * commands in the user's shell after the build. */
static void refuse_terminal_injection(struct nono_bpf *b, uint32_t nr_ioctl)
{
	bpf_load_nr(b);
	bpf_jump(b, BPF_JEQ_K, nr_ioctl, NEXT, SKIP);
	bpf_load_arg(b, 1);
	bpf_jump(b, BPF_JEQ_K, TIOCSTI_, BLOCK_REFUSE, NEXT);
	bpf_jump(b, BPF_JEQ_K, TIOCLINUX_, BLOCK_REFUSE, SKIP);
	bpf_label(b, BLOCK_REFUSE);
	bpf_ret(b, REFUSE(EPERM));
	bpf_label(b, SKIP);
}

/* sendto/sendmsg/sendmmsg with MSG_FASTOPEN connect without connect(), which Landlock does not see. */
static void refuse_tcp_fast_open(struct nono_bpf *b, uint32_t nr, int flags_arg)
{
	bpf_load_nr(b);
	bpf_jump(b, BPF_JEQ_K, nr, NEXT, SKIP);
	bpf_load_arg(b, flags_arg);
	bpf_jump(b, BPF_JSET_K, MSG_FASTOPEN_, NEXT, SKIP);
	bpf_ret(b, REFUSE(EACCES));
	bpf_label(b, SKIP);
}

/* --unix-own: every connect() and bind() goes to the supervisor (mediate.c), which reads the
 * address once and connects or binds the command's socket itself, or refuses. A filter cannot
 * tell a Unix socket from a TCP one by its descriptor, nor read the address, and Landlock
 * before ABI 9 does not mediate connecting to a pathname socket: without this, any socket of
 * the machine (docker.sock, D-Bus, an unsandboxed MSBuild node or compiler server) would be
 * reachable; nor does Landlock see an abstract name bound, which an outside client could take
 * for its server's. */
static void notify_connect_and_bind(struct nono_bpf *b)
{
	refuse_call(b, NR_CONNECT, SECCOMP_RET_USER_NOTIF);
	refuse_call(b, NR_BIND, SECCOMP_RET_USER_NOTIF);
}

struct nr_range {
	uint32_t first, last;
};

/* Kernel keyrings (a Kerberos cache, credential helpers' secrets), System V shared memory,
 * semaphores and message queues, and POSIX message queues reach state of the user's other
 * processes that no path names, so Landlock cannot see them. */
static void refuse_keyrings_and_ipc(struct nono_bpf *b, const struct nr_range *ranges, size_t count)
{
	bpf_load_nr(b);
	for (size_t i = 0; i < count; i++) {
		bpf_jump(b, BPF_JGE_K, ranges[i].first, NEXT, SKIP);
		bpf_jump(b, BPF_JGT_K, ranges[i].last, SKIP, NEXT);
		bpf_ret(b, REFUSE(EPERM));
		bpf_label(b, SKIP);
	}
}

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* What is refused whatever the network options, per architecture: terminal injection, keyrings
 * and IPC; and, with the network restricted, TCP Fast Open and listen() without bind() where no
 * port may be bound (listen binds an ephemeral port that Landlock does not check).
 * Where the policy lets no socket be bound, or none be connected, bind() or connect() can only
 * fail (Landlock refuses every TCP port, and no other socket can be made): they are refused here
 * too. A sandbox nested in a --unix-own one then keeps that: the kernel takes this filter's
 * refusal over the outer filter's notification, whose supervisor decides on the outer policy. */
static void refuse_always(const struct nono_policy *p, struct nono_bpf *b)
{
	int restrict_inet = !p->net_all;
	int refuse_listen = restrict_inet && p->bind_count == 0 && !p->allow_unix && !p->unix_own;
	int refuse_bind = refuse_listen && !p->allow_udp;
	int refuse_connect = restrict_inet && p->connect_count == 0 && p->tcp_addr_count == 0 && !p->allow_unix && !p->unix_own
			     && !p->allow_udp;
	const struct nr_range native_shared[] = NATIVE_SHARED_STATE;

	bpf_load_arch(b);
	bpf_jump(b, BPF_JEQ_K, NATIVE_ARCH, NEXT, OTHER_ARCH);
#ifdef X32_BIT
	/* x32 system calls would pass every number check below. */
	bpf_load_nr(b);
	bpf_jump(b, BPF_JSET_K, X32_BIT, NEXT, SKIP);
	bpf_ret(b, REFUSE(ENOSYS));
	bpf_label(b, SKIP);
#endif
	refuse_terminal_injection(b, NR_IOCTL);
	refuse_keyrings_and_ipc(b, native_shared, COUNT(native_shared));
	if (restrict_inet) {
		refuse_tcp_fast_open(b, NR_SENDTO, 3);
		refuse_tcp_fast_open(b, NR_SENDMSG, 2);
		refuse_tcp_fast_open(b, NR_SENDMMSG, 3);
	}
	if (refuse_listen)
		refuse_call(b, NR_LISTEN, REFUSE(EACCES));
	if (refuse_bind)
		refuse_call(b, NR_BIND, REFUSE(EACCES));
	if (refuse_connect)
		refuse_call(b, NR_CONNECT, REFUSE(EACCES));
	if (p->unix_own)
		notify_connect_and_bind(b);
	bpf_label(b, OTHER_ARCH);

#ifdef I386_ARCH
	const struct nr_range i386_shared[] = I386_SHARED_STATE;
	bpf_load_arch(b);
	bpf_jump(b, BPF_JEQ_K, I386_ARCH, NEXT, OTHER_ARCH);
	refuse_terminal_injection(b, I386_IOCTL);
	refuse_keyrings_and_ipc(b, i386_shared, COUNT(i386_shared));
	if (restrict_inet) {
		/* sendto's flags sit in memory for i386 socketcall; refused whole. */
		refuse_call(b, I386_SENDTO, REFUSE(EACCES));
		refuse_call(b, I386_SENDMSG, REFUSE(EACCES));
		refuse_call(b, I386_SENDMMSG, REFUSE(EACCES));
	}
	if (refuse_listen)
		refuse_call(b, I386_LISTEN, REFUSE(EACCES));
	if (refuse_bind)
		refuse_call(b, I386_BIND, REFUSE(EACCES));
	if (refuse_connect)
		refuse_call(b, I386_CONNECT, REFUSE(EACCES));
	/* Mediation reads the native layout only: a 32-bit connect() or bind() (on a descriptor
	 * inherited from a 64-bit parent) is refused. */
	if (p->unix_own) {
		refuse_call(b, I386_CONNECT, REFUSE(EACCES));
		refuse_call(b, I386_BIND, REFUSE(EACCES));
	}
	bpf_label(b, OTHER_ARCH);
#endif
}

static int finish(const struct nono_bpf *b, struct nono_filter *f)
{
	int len = bpf_finish(b);
	f->len = len < 0 ? 0 : (unsigned short)len;
	return len < 0 ? -1 : 0;
}

int nono_seccomp_build(const struct nono_policy *p, int tcp_by_landlock, struct nono_filter *f)
{
	int restrict_inet = !p->net_all;
	int restrict_unix = !p->allow_unix;
	struct nono_bpf b = nono_bpf_start(f->insns, NONO_FILTER_MAX);
	f->notify = p->unix_own;
	refuse_always(p, &b);
	if (!restrict_inet && !restrict_unix) {
		bpf_ret(&b, ALLOW);
		return finish(&b, f);
	}

	bpf_load_arch(&b);
#ifdef I386_ARCH
	bpf_jump(&b, BPF_JEQ_K, NATIVE_ARCH, NATIVE, NEXT);
	bpf_jump(&b, BPF_JEQ_K, I386_ARCH, NEXT, EXIT_ENOSYS);
	/* 32-bit programs reach sockets through socketcall(); refuse that path whole. */
	bpf_load_nr(&b);
	bpf_jump(&b, BPF_JEQ_K, I386_SOCKETCALL, EXIT_EACCES, NEXT);
	bpf_jump(&b, BPF_JEQ_K, I386_SOCKET, EXIT_EACCES, NEXT);
	bpf_jump(&b, BPF_JEQ_K, I386_IO_URING_SETUP, EXIT_EACCES, NEXT);
	if (restrict_unix) {
		bpf_jump(&b, BPF_JEQ_K, I386_SOCKETPAIR, NEXT, EXIT_ALLOW);
		refuse_datagram_socketpairs(&b);
	} else {
		bpf_ret(&b, ALLOW);
	}
	bpf_label(&b, NATIVE);
#else
	bpf_jump(&b, BPF_JEQ_K, NATIVE_ARCH, NEXT, EXIT_ENOSYS);
#endif
	bpf_load_nr(&b);
	/* io_uring can create sockets without socket(). */
	bpf_jump(&b, BPF_JEQ_K, NR_IO_URING_SETUP, EXIT_ENOSYS, NEXT);
	bpf_jump(&b, BPF_JEQ_K, NR_SOCKET, SOCKET, NEXT);
	if (restrict_unix) {
		bpf_jump(&b, BPF_JEQ_K, NR_SOCKETPAIR, NEXT, EXIT_ALLOW);
		refuse_datagram_socketpairs(&b);
	} else {
		bpf_ret(&b, ALLOW);
	}

	bpf_label(&b, SOCKET);
	bpf_load_arg(&b, 0);
	bpf_jump(&b, BPF_JEQ_K, AF_UNIX_, !restrict_unix ? EXIT_ALLOW : p->unix_own ? UNIX : EXIT_EACCES, NEXT);
	if (!restrict_inet) {
		bpf_ret(&b, ALLOW);
	} else if (tcp_by_landlock) {
		/* TCP is left to Landlock's port rules; every other family and type is refused. */
		bpf_jump(&b, BPF_JEQ_K, AF_INET_, INET, NEXT);
		bpf_jump(&b, BPF_JEQ_K, AF_INET6_, INET, EXIT_EACCES);
		bpf_label(&b, INET);
		bpf_load_arg(&b, 1);
		bpf_stmt(&b, BPF_AND_K, SOCK_TYPE_MASK);
		if (p->allow_udp)
			bpf_jump(&b, BPF_JEQ_K, SOCK_DGRAM_, UDP, NEXT);
		bpf_jump(&b, BPF_JEQ_K, SOCK_STREAM_, NEXT, EXIT_EACCES);
		bpf_load_arg(&b, 2);
		bpf_jump(&b, BPF_JEQ_K, 0, EXIT_ALLOW, NEXT);
		bpf_jump(&b, BPF_JEQ_K, IPPROTO_TCP_, EXIT_ALLOW, EXIT_EACCES);
		if (p->allow_udp) {
			/* --allow-udp (name resolution until the egress proxy resolves names): UDP goes
			 * where it is sent, as no filter sees a sendmsg()'s address (docs/security.md). */
			bpf_label(&b, UDP);
			bpf_load_arg(&b, 2);
			bpf_jump(&b, BPF_JEQ_K, 0, EXIT_ALLOW, NEXT);
			bpf_jump(&b, BPF_JEQ_K, IPPROTO_UDP_, EXIT_ALLOW, EXIT_EACCES);
		}
	} else {
		bpf_ret(&b, REFUSE(EACCES));
	}
	if (p->unix_own && restrict_unix) {
		/* Stream and seqpacket sockets connect only through connect(), which the supervisor
		 * makes; a datagram socket's sendto() names any pathname socket without it. */
		bpf_label(&b, UNIX);
		bpf_load_arg(&b, 1);
		bpf_stmt(&b, BPF_AND_K, SOCK_TYPE_MASK);
		bpf_jump(&b, BPF_JEQ_K, SOCK_STREAM_, EXIT_ALLOW, NEXT);
		bpf_jump(&b, BPF_JEQ_K, SOCK_SEQPACKET_, EXIT_ALLOW, EXIT_EACCES);
	}
	bpf_exit(&b, EXIT_ALLOW, ALLOW);
	bpf_exit(&b, EXIT_EACCES, REFUSE(EACCES));
	bpf_exit(&b, EXIT_ENOSYS, REFUSE(ENOSYS));
	return finish(&b, f);
}

int nono_seccomp_install(const struct nono_filter *f)
{
	if (f->len == 0)
		return 0;
	struct sock_fprog_ prog = { f->len, f->insns };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER_ : 0, &prog);
}

int nono_seccomp_available(void)
{
	uint32_t action = SECCOMP_RET_ERRNO;
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}
