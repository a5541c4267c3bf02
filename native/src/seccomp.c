#include "seccomp.h"

#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Kernel UAPI numbers (linux/filter.h, linux/seccomp.h, linux/audit.h): musl ships no
 * kernel headers. */
#define BPF_LD_W_ABS 0x20
#define BPF_JEQ_K 0x15
#define BPF_JSET_K 0x45
#define BPF_JGT_K 0x25
#define BPF_JGE_K 0x35
#define BPF_RET_K 0x06
#define BPF_AND_K 0x54
#define TIOCSTI_ 0x5412
#define TIOCLINUX_ 0x541C
#define MSG_FASTOPEN_ 0x20000000U
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_RET_ALLOW 0x7fff0000U
#define SECCOMP_RET_ERRNO 0x00050000U
#define OFFSET_NR 0
#define OFFSET_ARCH 4
#define OFFSET_ARG(n) (16 + 8 * (n)) /* low 32 bits, little-endian */

#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_STREAM_ 1
#define SOCK_SEQPACKET_ 5
#define SOCK_TYPE_MASK 0xf
#define IPPROTO_TCP_ 6

#if defined(__x86_64__)
#define NATIVE_ARCH 0xc000003eU /* AUDIT_ARCH_X86_64 */
#define NR_SOCKET 41
#define NR_IOCTL 16
#define NR_SENDTO 44
#define NR_SENDMSG 46
#define NR_SENDMMSG 307
#define NR_LISTEN 50
#define I386_IOCTL 54
#define I386_SENDTO 369
#define I386_SENDMSG 370
#define I386_SENDMMSG 345
#define I386_LISTEN 363
#define NR_SOCKETPAIR 53
#define X32_BIT 0x40000000U
#define I386_ARCH 0x40000003U   /* AUDIT_ARCH_I386 */
#define I386_SOCKETCALL 102
#define I386_SOCKET 359
#define I386_SOCKETPAIR 360
#define I386_IO_URING_SETUP 425
/* Kernel keyrings, System V IPC and POSIX message queues: inclusive syscall number ranges. */
#define NATIVE_SHARED_STATE { { 29, 31 }, { 64, 71 }, { 220, 220 }, { 240, 245 }, { 248, 250 } }
#define I386_SHARED_STATE { { 117, 117 }, { 277, 282 }, { 286, 288 }, { 393, 402 }, { 418, 420 } }
#elif defined(__aarch64__)
#define NATIVE_ARCH 0xc00000b7U /* AUDIT_ARCH_AARCH64 */
#define NR_SOCKET 198
#define NR_IOCTL 29
#define NR_SENDTO 206
#define NR_SENDMSG 211
#define NR_SENDMMSG 269
#define NR_LISTEN 201
#define NR_SOCKETPAIR 199
#define NATIVE_SHARED_STATE { { 180, 197 }, { 217, 219 } }
#else
#error "nono: seccomp filter not defined for this architecture"
#endif
#define NR_IO_URING_SETUP 425

struct sock_fprog_ {
	unsigned short len;
	const struct nono_bpf_insn *filter;
};

#define STMT(c, value) ((struct nono_bpf_insn){ (c), 0, 0, (value) })
#define JUMP(c, value, t, f) ((struct nono_bpf_insn){ (c), (t), (f), (value) })

/* socketpair() makes AF_UNIX sockets without socket(). Stream and seqpacket pairs stay
 * connected to each other; a datagram pair (SOCK_DGRAM, or SOCK_RAW, which AF_UNIX turns
 * into SOCK_DGRAM) can sendto() any pathname socket, which Landlock does not mediate.
 * Appends 6 instructions; the 5th returns eacces, the 6th allow. */
static unsigned short socketpair_types(struct nono_bpf_insn *s, unsigned short n,
				       uint32_t eacces, uint32_t allow)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(1));
	s[n++] = STMT(BPF_AND_K, SOCK_TYPE_MASK);
	s[n++] = JUMP(BPF_JEQ_K, SOCK_STREAM_, 2, 0);
	s[n++] = JUMP(BPF_JEQ_K, SOCK_SEQPACKET_, 1, 0);
	s[n++] = STMT(BPF_RET_K, eacces);
	s[n++] = STMT(BPF_RET_K, allow);
	return n;
}

/* Self-contained blocks: each loads the syscall number itself and falls through to the next
 * block when it does not apply, so they can be placed in any order. */
static unsigned short deny_nr(struct nono_bpf_insn *s, unsigned short n, uint32_t nr, uint32_t ret)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	s[n++] = JUMP(BPF_JEQ_K, nr, 0, 1);
	s[n++] = STMT(BPF_RET_K, ret);
	return n;
}

/* ioctl(fd, TIOCSTI or TIOCLINUX): typing into the terminal the build inherited would run
 * commands in the user's shell after the build. */
static unsigned short deny_terminal_injection(struct nono_bpf_insn *s, unsigned short n, uint32_t nr)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	s[n++] = JUMP(BPF_JEQ_K, nr, 0, 4);
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(1));
	s[n++] = JUMP(BPF_JEQ_K, TIOCSTI_, 1, 0);
	s[n++] = JUMP(BPF_JEQ_K, TIOCLINUX_, 0, 1);
	s[n++] = STMT(BPF_RET_K, SECCOMP_RET_ERRNO | EPERM);
	return n;
}

/* sendto/sendmsg/sendmmsg with MSG_FASTOPEN connect without connect(), which Landlock does not see. */
static unsigned short deny_fastopen(struct nono_bpf_insn *s, unsigned short n, uint32_t nr, int flags_arg)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	s[n++] = JUMP(BPF_JEQ_K, nr, 0, 3);
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(flags_arg));
	s[n++] = JUMP(BPF_JSET_K, MSG_FASTOPEN_, 0, 1);
	s[n++] = STMT(BPF_RET_K, SECCOMP_RET_ERRNO | EACCES);
	return n;
}

struct nr_range {
	uint32_t first, last;
};

/* Kernel keyrings (a Kerberos cache, credential helpers' secrets), System V shared memory,
 * semaphores and message queues, and POSIX message queues reach state of the user's other
 * processes that no path names, so Landlock cannot see them. */
static unsigned short deny_shared_state(struct nono_bpf_insn *s, unsigned short n,
					const struct nr_range *ranges, size_t count)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	for (size_t i = 0; i < count; i++) {
		s[n++] = JUMP(BPF_JGE_K, ranges[i].first, 0, 2);
		s[n++] = JUMP(BPF_JGT_K, ranges[i].last, 1, 0);
		s[n++] = STMT(BPF_RET_K, SECCOMP_RET_ERRNO | EPERM);
	}
	return n;
}

/* Rules for one architecture, skipped whole on any other. */
static unsigned short for_arch(struct nono_bpf_insn *s, unsigned short n, uint32_t arch,
			       const struct nono_bpf_insn *block, unsigned short length)
{
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARCH);
	s[n++] = JUMP(BPF_JEQ_K, arch, 0, (uint8_t)length);
	for (unsigned short i = 0; i < length; i++)
		s[n++] = block[i];
	return n;
}

/* What is refused whatever the network options: terminal injection, keyrings and IPC
 * (deny_shared_state); and, with the network
 * restricted, TCP Fast Open and listen() without bind() where no port may be bound (listen
 * binds an ephemeral port that Landlock does not check). */
static unsigned short build_prefix(const struct nono_policy *p, struct nono_bpf_insn *s, unsigned short n)
{
	int restrict_inet = !p->net_all;
	int deny_listen = restrict_inet && p->bind_count == 0 && !p->allow_unix;
	struct nono_bpf_insn block[48];
	const struct nr_range native_shared[] = NATIVE_SHARED_STATE;
	unsigned short m = 0;
#ifdef X32_BIT
	/* x32 system calls would pass every number check below. */
	block[m++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	block[m++] = JUMP(BPF_JSET_K, X32_BIT, 0, 1);
	block[m++] = STMT(BPF_RET_K, SECCOMP_RET_ERRNO | ENOSYS);
#endif
	m = deny_terminal_injection(block, m, NR_IOCTL);
	m = deny_shared_state(block, m, native_shared, sizeof(native_shared) / sizeof(native_shared[0]));
	if (restrict_inet) {
		m = deny_fastopen(block, m, NR_SENDTO, 3);
		m = deny_fastopen(block, m, NR_SENDMSG, 2);
		m = deny_fastopen(block, m, NR_SENDMMSG, 3);
	}
	if (deny_listen)
		m = deny_nr(block, m, NR_LISTEN, SECCOMP_RET_ERRNO | EACCES);
	n = for_arch(s, n, NATIVE_ARCH, block, m);
#ifdef I386_ARCH
	const struct nr_range i386_shared[] = I386_SHARED_STATE;
	m = deny_terminal_injection(block, 0, I386_IOCTL);
	m = deny_shared_state(block, m, i386_shared, sizeof(i386_shared) / sizeof(i386_shared[0]));
	if (restrict_inet) {
		m = deny_nr(block, m, I386_SENDTO, SECCOMP_RET_ERRNO | EACCES);
		m = deny_nr(block, m, I386_SENDMSG, SECCOMP_RET_ERRNO | EACCES);
		m = deny_nr(block, m, I386_SENDMMSG, SECCOMP_RET_ERRNO | EACCES);
	}
	if (deny_listen)
		m = deny_nr(block, m, I386_LISTEN, SECCOMP_RET_ERRNO | EACCES);
	n = for_arch(s, n, I386_ARCH, block, m);
#endif
	return n;
}

void nono_seccomp_build(const struct nono_policy *p, int tcp_by_landlock, struct nono_filter *f)
{
	int restrict_inet = !p->net_all;
	int restrict_unix = !p->allow_unix;
	struct nono_bpf_insn *s = f->insns;
	unsigned short n = build_prefix(p, s, 0);
	const uint32_t allow = SECCOMP_RET_ALLOW;
	if (!restrict_inet && !restrict_unix) {
		s[n++] = STMT(BPF_RET_K, allow);
		f->len = n;
		return;
	}

	const uint32_t eacces = SECCOMP_RET_ERRNO | EACCES;
	const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;

	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARCH);
#ifdef I386_ARCH
	/* 32-bit programs reach sockets through socketcall(); refuse that path whole. */
	s[n++] = JUMP(BPF_JEQ_K, NATIVE_ARCH, restrict_unix ? 13 : 8, 0);
	s[n++] = JUMP(BPF_JEQ_K, I386_ARCH, 1, 0);
	s[n++] = STMT(BPF_RET_K, enosys);
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
	if (restrict_unix) {
		s[n++] = JUMP(BPF_JEQ_K, I386_SOCKETCALL, 7, 0);
		s[n++] = JUMP(BPF_JEQ_K, I386_SOCKET, 6, 0);
		s[n++] = JUMP(BPF_JEQ_K, I386_IO_URING_SETUP, 5, 0);
		s[n++] = JUMP(BPF_JEQ_K, I386_SOCKETPAIR, 0, 5);
		n = socketpair_types(s, n, eacces, allow);
	} else {
		s[n++] = JUMP(BPF_JEQ_K, I386_SOCKETCALL, 2, 0);
		s[n++] = JUMP(BPF_JEQ_K, I386_SOCKET, 1, 0);
		s[n++] = JUMP(BPF_JEQ_K, I386_IO_URING_SETUP, 0, 1);
		s[n++] = STMT(BPF_RET_K, eacces);
		s[n++] = STMT(BPF_RET_K, allow);
	}
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
#else
	s[n++] = JUMP(BPF_JEQ_K, NATIVE_ARCH, 1, 0);
	s[n++] = STMT(BPF_RET_K, enosys);
	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_NR);
#endif
	/* io_uring can create sockets without socket(). */
	s[n++] = JUMP(BPF_JEQ_K, NR_IO_URING_SETUP, 0, 1);
	s[n++] = STMT(BPF_RET_K, enosys);
	if (restrict_unix) {
		s[n++] = JUMP(BPF_JEQ_K, NR_SOCKET, 7, 0);
		s[n++] = JUMP(BPF_JEQ_K, NR_SOCKETPAIR, 0, 5);
		n = socketpair_types(s, n, eacces, allow);
	} else {
		s[n++] = JUMP(BPF_JEQ_K, NR_SOCKET, 1, 0);
		s[n++] = STMT(BPF_RET_K, allow);
	}

	s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(0));
	s[n++] = JUMP(BPF_JEQ_K, AF_UNIX_, 0, 1);
	s[n++] = STMT(BPF_RET_K, restrict_unix ? eacces : allow);
	if (!restrict_inet) {
		s[n++] = STMT(BPF_RET_K, allow);
	} else if (tcp_by_landlock) {
		/* TCP is left to Landlock's port rules; everything else is refused. */
		s[n++] = JUMP(BPF_JEQ_K, AF_INET_, 1, 0);
		s[n++] = JUMP(BPF_JEQ_K, AF_INET6_, 0, 6);
		s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(1));
		s[n++] = STMT(BPF_AND_K, SOCK_TYPE_MASK);
		s[n++] = JUMP(BPF_JEQ_K, SOCK_STREAM_, 0, 3);
		s[n++] = STMT(BPF_LD_W_ABS, OFFSET_ARG(2));
		s[n++] = JUMP(BPF_JEQ_K, 0, 2, 0);
		s[n++] = JUMP(BPF_JEQ_K, IPPROTO_TCP_, 1, 0);
		s[n++] = STMT(BPF_RET_K, eacces);
		s[n++] = STMT(BPF_RET_K, allow);
	} else {
		s[n++] = STMT(BPF_RET_K, eacces);
	}
	f->len = n;
}

int nono_seccomp_install(const struct nono_filter *f)
{
	if (f->len == 0)
		return 0;
	struct sock_fprog_ prog = { f->len, f->insns };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int nono_seccomp_available(void)
{
	uint32_t action = SECCOMP_RET_ERRNO;
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}
