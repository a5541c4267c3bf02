/* Seccomp filters as data. One header for everything that writes or reads a filter: seccomp.c
 * (the sandbox's filter), recorder.c (the recorder's filter and its refusals) and
 * record_refusal.c (naming what the filter refused). It holds
 *   - the classic BPF opcodes, struct seccomp_data offsets and return actions (linux/filter.h,
 *     linux/seccomp.h, linux/audit.h: musl ships no kernel headers);
 *   - the system call numbers nono filters or records, per architecture;
 *   - a small assembler whose jumps name their targets (labels) instead of counting
 *     instructions: a block says "if not this call, go to SKIP" and places SKIP after itself. */
#ifndef NONO_BPF_H
#define NONO_BPF_H

#include <stdint.h>

/* --- classic BPF and seccomp --------------------------------------------------------------- */

#define BPF_LD_W_ABS 0x20 /* A = 32 bits of struct seccomp_data at k */
#define BPF_AND_K 0x54    /* A &= k */
#define BPF_JEQ_K 0x15    /* A == k */
#define BPF_JGT_K 0x25    /* A > k */
#define BPF_JGE_K 0x35    /* A >= k */
#define BPF_JSET_K 0x45   /* A & k */
#define BPF_RET_K 0x06    /* return k */

/* struct seccomp_data */
#define SECCOMP_DATA_NR 0
#define SECCOMP_DATA_ARCH 4
#define SECCOMP_DATA_ARG(n) (16 + 8 * (n)) /* low 32 bits, little-endian */

#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_RET_TRAP 0x00030000U
#define SECCOMP_RET_ERRNO 0x00050000U
#define SECCOMP_RET_TRACE 0x7ff00000U
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#define SECCOMP_FILTER_FLAG_NEW_LISTENER_ (1U << 3)
#define SECCOMP_RET_ALLOW 0x7fff0000U
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#define SECCOMP_RET_DATA 0x0000ffffU

/* --- architectures and system call numbers ------------------------------------------------ */

#define AUDIT_ARCH_X86_64_ 0xc000003eU
#define AUDIT_ARCH_I386_ 0x40000003U
#define AUDIT_ARCH_AARCH64_ 0xc00000b7U

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64_
#define X32_BIT 0x40000000U /* x32 calls: native numbers with this bit */
/* Network and terminal */
#define NR_IOCTL 16
#define NR_SOCKET 41
#define NR_CONNECT 42
#define NR_SENDTO 44
#define NR_SENDMSG 46
#define NR_BIND 49
#define NR_LISTEN 50
#define NR_SOCKETPAIR 53
#define NR_SENDMMSG 307
/* Files (the recorder's) */
#define NR_OPEN 2
#define NR_EXECVE 59
#define NR_TRUNCATE 76
#define NR_RENAME 82
#define NR_MKDIR 83
#define NR_RMDIR 84
#define NR_CREAT 85
#define NR_LINK 86
#define NR_UNLINK 87
#define NR_SYMLINK 88
#define NR_MKNOD 133
#define NR_OPENAT 257
#define NR_MKDIRAT 258
#define NR_MKNODAT 259
#define NR_UNLINKAT 263
#define NR_RENAMEAT 264
#define NR_LINKAT 265
#define NR_SYMLINKAT 266
#define NR_RENAMEAT2 316
#define NR_EXECVEAT 322
/* Kernel keyrings, System V IPC and POSIX message queues: inclusive number ranges. */
#define NATIVE_SHARED_STATE { { 29, 31 }, { 64, 71 }, { 220, 220 }, { 240, 245 }, { 248, 250 } }

/* i386 programs on x86-64 */
#define I386_ARCH AUDIT_ARCH_I386_
#define I386_IOCTL 54
#define I386_SOCKETCALL 102
#define I386_SENDMMSG 345
#define I386_SOCKET 359
#define I386_SOCKETPAIR 360
#define I386_BIND 361
#define I386_CONNECT 362
#define I386_LISTEN 363
#define I386_SENDTO 369
#define I386_SENDMSG 370
#define I386_IO_URING_SETUP 425
#define I386_SHARED_STATE { { 117, 117 }, { 277, 282 }, { 286, 288 }, { 393, 402 }, { 418, 420 } }
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64_
#define NR_IOCTL 29
#define NR_SOCKET 198
#define NR_SOCKETPAIR 199
#define NR_BIND 200
#define NR_LISTEN 201
#define NR_CONNECT 203
#define NR_SENDTO 206
#define NR_SENDMSG 211
#define NR_SENDMMSG 269
#define NR_MKNODAT 33
#define NR_MKDIRAT 34
#define NR_UNLINKAT 35
#define NR_SYMLINKAT 36
#define NR_LINKAT 37
#define NR_TRUNCATE 45
#define NR_OPENAT 56
#define NR_EXECVE 221
#define NR_RENAMEAT2 276
#define NR_EXECVEAT 281
#define NATIVE_SHARED_STATE { { 180, 197 }, { 217, 219 } }
#else
#error "nono: seccomp filter not defined for this architecture"
#endif
#define NR_IO_URING_SETUP 425 /* the same on every architecture */
#define NR_OPENAT2 437

/* --- the assembler ------------------------------------------------------------------------- */

struct nono_bpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/* A label is a small number from the caller's enum; NONO_BPF_NEXT (0) is the next instruction.
 * A jump to a label lands where that label is placed next (jumps only go forward), so a label
 * can be placed again for later jumps, like an assembler's local labels: each block that jumps
 * to SKIP places SKIP at its own end. */
#define NONO_BPF_NEXT 0
#define NONO_BPF_PENDING_MAX 64

struct nono_bpf_pending {
	unsigned short at; /* the jump */
	uint8_t label;
	uint8_t if_true;   /* which of its targets */
};

struct nono_bpf {
	struct nono_bpf_insn *insns;
	unsigned short len, max;
	unsigned short pending_count;
	struct nono_bpf_pending pending[NONO_BPF_PENDING_MAX];
	int broken; /* out of room, a jump over 255 instructions, or one never placed */
};

static inline struct nono_bpf nono_bpf_start(struct nono_bpf_insn *insns, unsigned short max)
{
	struct nono_bpf b = { .insns = insns, .max = max };
	return b;
}

static inline void bpf_stmt(struct nono_bpf *b, uint16_t code, uint32_t k)
{
	if (b->len >= b->max) {
		b->broken = 1;
		return;
	}
	b->insns[b->len++] = (struct nono_bpf_insn){ code, 0, 0, k };
}

static inline void bpf_wait(struct nono_bpf *b, uint8_t label, int if_true)
{
	if (label == NONO_BPF_NEXT)
		return;
	if (b->pending_count >= NONO_BPF_PENDING_MAX) {
		b->broken = 1;
		return;
	}
	b->pending[b->pending_count++] = (struct nono_bpf_pending){ (unsigned short)(b->len - 1), label, (uint8_t)if_true };
}

/* if (A <op> k) go to if_true, else to if_false. */
static inline void bpf_jump(struct nono_bpf *b, uint16_t code, uint32_t k, uint8_t if_true, uint8_t if_false)
{
	bpf_stmt(b, code, k);
	if (b->broken)
		return;
	bpf_wait(b, if_true, 1);
	bpf_wait(b, if_false, 0);
}

/* Whether any jump waits for the label. */
static inline int bpf_awaited(const struct nono_bpf *b, uint8_t label)
{
	for (unsigned short i = 0; i < b->pending_count; i++)
		if (b->pending[i].label == label)
			return 1;
	return 0;
}

/* Places the label here: every jump waiting for it lands on the next instruction. */
static inline void bpf_label(struct nono_bpf *b, uint8_t label)
{
	for (unsigned short i = 0; i < b->pending_count;) {
		if (b->pending[i].label != label) {
			i++;
			continue;
		}
		unsigned distance = (unsigned)(b->len - b->pending[i].at - 1);
		if (distance > 255)
			b->broken = 1;
		else if (b->pending[i].if_true)
			b->insns[b->pending[i].at].jt = (uint8_t)distance;
		else
			b->insns[b->pending[i].at].jf = (uint8_t)distance;
		b->pending[i] = b->pending[--b->pending_count];
	}
}

static inline void bpf_ret(struct nono_bpf *b, uint32_t action)
{
	bpf_stmt(b, BPF_RET_K, action);
}

/* A shared exit: places the label and returns action, if any jump waits for it. */
static inline void bpf_exit(struct nono_bpf *b, uint8_t label, uint32_t action)
{
	if (!bpf_awaited(b, label))
		return;
	bpf_label(b, label);
	bpf_ret(b, action);
}

static inline void bpf_load_nr(struct nono_bpf *b) { bpf_stmt(b, BPF_LD_W_ABS, SECCOMP_DATA_NR); }
static inline void bpf_load_arch(struct nono_bpf *b) { bpf_stmt(b, BPF_LD_W_ABS, SECCOMP_DATA_ARCH); }
static inline void bpf_load_arg(struct nono_bpf *b, int n) { bpf_stmt(b, BPF_LD_W_ABS, SECCOMP_DATA_ARG(n)); }

/* The program's length, or -1 if it is broken (then it must not be installed). */
static inline int bpf_finish(const struct nono_bpf *b)
{
	return b->broken || b->pending_count ? -1 : b->len;
}

#endif
