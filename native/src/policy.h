/* A resolved sandbox policy and its one parser, shared by nono-exec and libnono. */
#ifndef NONO_POLICY_H
#define NONO_POLICY_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

enum {
	NONO_READ = 1 << 0,
	NONO_WRITE = 1 << 1,
	NONO_EXECUTE = 1 << 2,
	NONO_SYMLINK = 1 << 3, /* create symlinks, FIFOs and sockets: not part of write (see --symlinks) */
	NONO_SOCKET = 1 << 4,  /* create (bind) sockets only (--sockets) */
};

struct nono_path_rule {
	char *path;
	unsigned access; /* NONO_READ | NONO_WRITE | NONO_EXECUTE | NONO_SYMLINK | NONO_SOCKET */
};

/* --connect-tcp-addr: one address and port the supervisor connects to on the command's behalf. */
struct nono_tcp_addr {
	int family;         /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	uint16_t port;
};

struct nono_policy {
	struct nono_path_rule *paths;
	size_t path_count;
	uint16_t *connect_ports;
	size_t connect_count;
	uint16_t *bind_ports;
	size_t bind_count;
	int net_all;     /* --net all: no network restriction */
	int allow_unix;  /* --allow-unix: AF_UNIX sockets and abstract sockets */
	/* Mediated connections (mediate.c): every connect() is made by the supervisor. */
	int allow_udp;   /* --allow-udp: UDP sockets (name resolution) with the network otherwise restricted */
	int unix_own;    /* --unix-own: Unix stream sockets, connected only to the command's own processes */
	char **unix_paths; /* --unix-connect PATH: also these sockets (or those beneath a directory) */
	size_t unix_path_count;
	char **unix_binds; /* --unix-bind PATH: sockets the supervisor binds for the command ("%p": its pid; "%g": a random GUID) */
	size_t unix_bind_count;
	struct nono_tcp_addr *tcp_addrs; /* --connect-tcp-addr ADDR:PORT */
	size_t tcp_addr_count;
	int best_effort; /* --best-effort: run even without Landlock */
	int kill_leftovers; /* --kill-leftovers: nothing the command starts outlives it */
	int ruleset_fd;  /* --ruleset-fd: an inherited, already built ruleset; -1 if none */
	int probe;       /* --probe */
	int help;        /* --help */
	/* Denial recording (recorder.c): */
	char *report;    /* --report FILE: append the denials to FILE */
	int audit;       /* --audit: enforce nothing of the policy, record what it would deny */
	/* The caller's channels (nono_exec.c): */
	char *errors;    /* --errors FILE: nono-exec's own errors go to FILE, not to stderr */
	int null_stdin;  /* --null-stdin: the command's standard input is /dev/null */
};

/* One line, "<what>: <subject>", for the caller to print or return. */
struct nono_error {
	char text[1024];
};

int nono_fail(struct nono_error *err, const char *what, const char *subject);

/* "<what> (<strerror(error)>): <subject>", as the kernel's sandboxer sample names the errno. */
int nono_fail_errno(struct nono_error *err, const char *what, int error, const char *subject);

/* One option (policy.c's table drives parsing, applying and --help). */
struct nono_option {
	const char *name;  /* "--ro" */
	const char *value; /* what the value is, for --help ("PATH"); NULL: a flag */
	const char *usage; /* its line in --help */
	int (*apply)(struct nono_policy *policy, const struct nono_option *option,
		     const char *value, struct nono_error *err);
	unsigned access;   /* path options: the NONO_* rights granted */
	size_t flag;       /* flags: offset of the int field of struct nono_policy set to 1; files: of the char * field */
};

extern const struct nono_option nono_options[];
extern const size_t nono_option_count;

/* Prints one line per option, in the table's order: "  --ro PATH           read PATH ...". */
void nono_policy_help(FILE *out);

/* Parses options from argv[0..argc). Stops at "--" (skipped) or at the first
 * argument that is not an option; *command_index is where the command starts
 * (argc if none). Returns 0, or -1 with err set. */
int nono_policy_parse(struct nono_policy *policy, int argc, char *const argv[],
		      int *command_index, struct nono_error *err);

void nono_policy_free(struct nono_policy *policy);

#endif
