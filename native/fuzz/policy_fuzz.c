/* libFuzzer harness for nono_policy_parse (native/src/policy.c): the command-line
 * options and the @FILE reader, under AddressSanitizer, LeakSanitizer and UBSan.
 *
 * Input: the first byte is the argument separator. The rest, up to the first form feed
 * (\f), is the command line split on that separator; what follows the form feed is the
 * content of an options file (a memfd) that an argument "@F" names. Any other "@NAME"
 * names an entry of a private directory made at start-up (a directory, an empty file, a
 * small options file, a symlink to it, a sparse file over 64 MiB, or nothing); an input
 * whose @NAME is absolute or contains ".." is rejected, so no other file is ever opened.
 * A final separator ends the last argument, so a seed in corpus/ reads as a text file:
 * "\n--ro\n/usr\n@F\n--\ntrue\n\f--rw /tmp\n" is ["--ro", "/usr", "@F", "--", "true"]
 * with "--rw /tmp\n" in the options file.
 *
 * Beyond the sanitizers, every input is checked against:
 *  - a model of the grammar written from docs/nono-exec.md: the parser succeeds exactly
 *    when the model does, with the same rules, ports and flags in the same order and the
 *    same command index, and fails for the model's reason;
 *  - on success: counts agree with the arrays, every path is non-empty with a valid
 *    access, every port is 1-65535, flags are 0 or 1, the command index is at a stop;
 *  - on failure: the error is one non-empty line, "<reason>: <subject>", without control
 *    characters (nono-exec prints it as its single stderr line);
 *  - no file descriptor is left open.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OPTIONS_FILE (64 * 1024 * 1024)

static char private_dir[] = "/tmp/nono-policy-fuzz-XXXXXX";
static char memfd_arg[64]; /* "@/proc/self/fd/N" */
static int memfd = -1;
static int lowest_free_fd;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "policy_fuzz: invariant violated: %s%s%s\n", what,
		detail ? ": " : "", detail ? detail : "");
	abort();
}

static int first_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD, 0);
	if (fd < 0)
		die("F_DUPFD failed", strerror(errno));
	close(fd);
	return fd;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", private_dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot create", path);
}

static void remove_private_dir(void)
{
	static const char *const files[] = { "e", "f", "l", "big" };
	char path[256];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", private_dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/d", private_dir);
	rmdir(path);
	rmdir(private_dir);
}

static void check_table_matches_model(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(private_dir))
		die("mkdtemp failed", strerror(errno));
	atexit(remove_private_dir);
	char path[256];
	snprintf(path, sizeof(path), "%s/d", private_dir);
	if (mkdir(path, 0700))
		die("mkdir failed", path);
	write_file("e", "");
	write_file("f", "# a small options file\n--ro /usr\r\n--connect-tcp=443\n--allow-unix\n");
	snprintf(path, sizeof(path), "%s/l", private_dir);
	if (symlink("f", path))
		die("symlink failed", path);
	snprintf(path, sizeof(path), "%s/big", private_dir);
	int big = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (big < 0 || ftruncate(big, MAX_OPTIONS_FILE + 1) || close(big))
		die("cannot create", path);

	memfd = memfd_create("nono-options", MFD_CLOEXEC);
	if (memfd < 0)
		die("memfd_create failed", strerror(errno));
	snprintf(memfd_arg, sizeof(memfd_arg), "@/proc/self/fd/%d", memfd);
	lowest_free_fd = first_free_fd();
	check_table_matches_model();
	return 0;
}

/* ---- The model: docs/nono-exec.md's grammar, checked against the parser's result. ---- */

enum kind { PATH, CONNECT, BIND, NET, ALLOW_UNIX, BEST_EFFORT, PROBE, HELP, RULESET_FD, REPORT, AUDIT, KILL_LEFTOVERS, ERRORS, NULL_STDIN,
	    ALLOW_UDP, UNIX_OWN, UNIX_CONNECT, UNIX_BIND, TCP_ADDR };

struct model_option {
	const char *name;
	enum kind kind;
	unsigned access;
};

static const struct model_option model_options[] = {
	{ "--ro", PATH, NONO_READ },
	{ "--rox", PATH, NONO_READ | NONO_EXECUTE },
	{ "--rw", PATH, NONO_READ | NONO_WRITE },
	{ "--rwx", PATH, NONO_READ | NONO_WRITE | NONO_EXECUTE },
	{ "--wo", PATH, NONO_WRITE },
	{ "--xo", PATH, NONO_EXECUTE },
	{ "--wx", PATH, NONO_WRITE | NONO_EXECUTE },
	{ "--symlinks", PATH, NONO_SYMLINK },
	{ "--sockets", PATH, NONO_SOCKET },
	{ "--connect-tcp", CONNECT, 0 },
	{ "--bind-tcp", BIND, 0 },
	{ "--net", NET, 0 },
	{ "--allow-udp", ALLOW_UDP, 0 },
	{ "--allow-unix", ALLOW_UNIX, 0 },
	{ "--unix-own", UNIX_OWN, 0 },
	{ "--unix-connect", UNIX_CONNECT, 0 },
	{ "--unix-bind", UNIX_BIND, 0 },
	{ "--connect-tcp-addr", TCP_ADDR, 0 },
	{ "--best-effort", BEST_EFFORT, 0 },
	{ "--probe", PROBE, 0 },
	{ "--help", HELP, 0 },
	{ "--ruleset-fd", RULESET_FD, 0 },
	{ "--report", REPORT, 0 },
	{ "--audit", AUDIT, 0 },
	{ "--kill-leftovers", KILL_LEFTOVERS, 0 },
	{ "--errors", ERRORS, 0 },
	{ "--null-stdin", NULL_STDIN, 0 },
};

static int takes_value(enum kind kind)
{
	return kind == PATH || kind == CONNECT || kind == BIND || kind == NET || kind == RULESET_FD || kind == REPORT || kind == ERRORS
		|| kind == UNIX_CONNECT || kind == UNIX_BIND || kind == TCP_ADDR;
}

static const struct model_option *model_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(model_options) / sizeof(model_options[0]); i++)
		if (strlen(model_options[i].name) == len && !memcmp(model_options[i].name, name, len))
			return &model_options[i];
	return NULL;
}

/* The model's options are written from the docs, not taken from policy.c's table; this holds the
 * two in step: the same names, each taking a value or not alike, the same rights for paths. */
static void check_table_matches_model(void)
{
	size_t model_count = sizeof(model_options) / sizeof(model_options[0]);
	if (nono_option_count != model_count)
		die("policy.c's option table and the model differ in length", NULL);
	for (size_t i = 0; i < nono_option_count; i++) {
		const struct nono_option *o = &nono_options[i];
		const struct model_option *m = model_find(o->name, strlen(o->name));
		if (!m || !o->value != !takes_value(m->kind) || (m->kind == PATH && o->access != m->access))
			die("policy.c's option table and the model disagree on", o->name);
	}
}

struct model {
	const struct nono_policy *p; /* the parser's result, compared only if it succeeded */
	int compare;
	size_t paths, connects, binds;
	int net_all, allow_unix, best_effort, probe, help, audit, kill_leftovers, null_stdin, allow_udp, unix_own;
	size_t unix_paths, unix_binds, tcp_addrs;
	long ruleset_fd;  /* -1: none */
	int has_report;
	size_t report_len; /* the last --report value (inputs are at most 4096 bytes) */
	char report[8192];
	int has_errors;
	size_t errors_len; /* the last --errors value */
	char errors[8192];
	const char *error; /* the reason the model expects, or NULL */
};

static int same(const char *s, const char *text, size_t len)
{
	return strlen(s) == len && !memcmp(s, text, len);
}

/* Port: decimal digits only (leading zeros allowed), 1-65535 (0-65535 for --bind-tcp). */
static int model_port_from(const char *text, size_t len, unsigned long lowest)
{
	unsigned long value = 0;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		value = value * 10 + (unsigned long)(text[i] - '0');
		if (value > 65535)
			return -1;
	}
	return value < lowest ? -1 : (int)value;
}

static int model_port(const char *text, size_t len)
{
	return model_port_from(text, len, 1);
}

static void check_port(const struct model *m, const uint16_t *ports, size_t count, size_t index,
		       int port)
{
	if (m->compare && (index >= count || ports[index] != port))
		die("port differs from the model's", NULL);
}

/* Applies one option with its value (text/len, or text NULL for none). Returns 0, or -1
 * with m->error set. */
static int model_apply(struct model *m, const struct model_option *o, const char *text, size_t len)
{
	if (!o)
		return m->error = "unknown option (see --help)", -1;
	if (!takes_value(o->kind) && text)
		return m->error = "option takes no value", -1;
	if (takes_value(o->kind) && !text)
		return m->error = "missing value", -1;
	int port;
	switch (o->kind) {
	case PATH:
		if (len == 0)
			return m->error = "empty path", -1;
		if (m->compare) {
			if (m->paths >= m->p->path_count)
				die("fewer path rules than the model's", NULL);
			const struct nono_path_rule *r = &m->p->paths[m->paths];
			if (r->access != o->access || !same(r->path, text, len))
				die("path rule differs from the model's", r->path);
		}
		m->paths++;
		return 0;
	case CONNECT:
	case BIND:
		if ((port = model_port_from(text, len, o->kind == BIND ? 0 : 1)) < 0)
			return m->error = o->kind == BIND ? "invalid port (expected 0-65535)" : "invalid port (expected 1-65535)", -1;
		if (o->kind == CONNECT)
			check_port(m, m->p->connect_ports, m->p->connect_count, m->connects++, port);
		else
			check_port(m, m->p->bind_ports, m->p->bind_count, m->binds++, port);
		return 0;
	case NET:
		if (same("all", text, len))
			m->net_all = 1;
		else if (same("none", text, len))
			m->net_all = 0;
		else
			return m->error = "invalid network mode (expected all or none)", -1;
		return 0;
	case ALLOW_UNIX:
		m->allow_unix = 1;
		return 0;
	case BEST_EFFORT:
		m->best_effort = 1;
		return 0;
	case PROBE:
		m->probe = 1;
		return 0;
	case HELP:
		m->help = 1;
		return 0;
	case RULESET_FD: {
		/* Decimal digits, at most 2^30. */
		long fd = 0;
		if (len == 0 || text[0] < '0' || text[0] > '9')
			return m->error = "invalid descriptor number", -1;
		for (size_t i = 0; i < len; i++) {
			if (text[i] < '0' || text[i] > '9' || (fd = fd * 10 + (text[i] - '0')) > 1L << 30)
				return m->error = "invalid descriptor number", -1;
		}
		m->ruleset_fd = fd;
		return 0;
	}
	case REPORT:
		if (len == 0)
			return m->error = "empty path", -1;
		if (len >= sizeof(m->report))
			die("--report value longer than the fuzzer's inputs", NULL);
		memcpy(m->report, text, len);
		m->report_len = len;
		m->has_report = 1;
		return 0;
	case AUDIT:
		m->audit = 1;
		return 0;
	case KILL_LEFTOVERS:
		m->kill_leftovers = 1;
		return 0;
	case ERRORS:
		if (len == 0)
			return m->error = "empty path", -1;
		if (len >= sizeof(m->errors))
			die("--errors value longer than the fuzzer's inputs", NULL);
		memcpy(m->errors, text, len);
		m->errors_len = len;
		m->has_errors = 1;
		return 0;
	case NULL_STDIN:
		m->null_stdin = 1;
		return 0;
	case ALLOW_UDP:
		m->allow_udp = 1;
		return 0;
	case UNIX_OWN:
		m->unix_own = 1;
		return 0;
	case UNIX_CONNECT:
		if (len == 0 || text[0] != '/')
			return m->error = "not an absolute path", -1;
		m->unix_paths++;
		m->unix_own = 1;
		return 0;
	case UNIX_BIND: {
		/* An absolute path whose one '%', if any, is a final "%p" or "%g" (as a C string: up to a NUL). */
		size_t n = strnlen(text, len), percents = 0;
		for (size_t i = 0; i < n; i++)
			percents += text[i] == '%';
		if (n == 0 || text[0] != '/' || (percents > 0 && (percents > 1 || n < 2 || (memcmp(text + n - 2, "%p", 2) && memcmp(text + n - 2, "%g", 2)))))
			return m->error = "not an absolute path (\"%p\" or \"%g\" only at its end)", -1;
		m->unix_binds++;
		m->unix_own = 1;
		return 0;
	}
	case TCP_ADDR: {
		/* ADDR:PORT or [ADDR6]:PORT, split at the last colon; numeric addresses only. */
		char host[64];
		const char *colon = NULL;
		for (size_t i = 0; i < len; i++)
			if (text[i] == ':')
				colon = text + i;
		size_t host_len = colon ? (size_t)(colon - text) : 0;
		if (!colon || host_len == 0 || host_len >= sizeof(host) || memchr(text, '\0', len))
			return m->error = "invalid address (expected ADDR:PORT or [ADDR6]:PORT)", -1;
		memcpy(host, text, host_len);
		host[host_len] = '\0';
		unsigned char addr[16];
		if (host[0] == '[' && host[host_len - 1] == ']') {
			host[host_len - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, addr) != 1)
				return m->error = "invalid IPv6 address", -1;
		} else if (inet_pton(AF_INET, host, addr) != 1) {
			return m->error = "invalid IPv4 address (numeric only)", -1;
		}
		if (model_port(colon + 1, len - host_len - 1) < 0)
			return m->error = "invalid port (expected 1-65535)", -1;
		m->tcp_addrs++;
		m->unix_own = 1;
		return 0;
	}
	}
	return 0;
}

/* One option per line: "--name value" or "--name=value", the value the rest of the line
 * verbatim; "#" comments and empty lines skipped; LF or CRLF. */
static int model_file_text(struct model *m, const char *text, size_t size)
{
	if (memchr(text, '\0', size))
		return m->error = "options file contains a NUL byte", -1;
	for (size_t at = 0; at < size;) {
		const char *line = text + at;
		const char *lf = memchr(line, '\n', size - at);
		size_t len = lf ? (size_t)(lf - line) : size - at;
		at += len + (lf != NULL);
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (len < 3 || line[0] != '-' || line[1] != '-')
			return m->error = "options file line is not an option", -1;
		size_t name_len = 0;
		while (name_len < len && line[name_len] != ' ' && line[name_len] != '=')
			name_len++;
		const char *value = name_len < len ? line + name_len + 1 : NULL;
		size_t value_len = value ? len - name_len - 1 : 0;
		if (model_apply(m, model_find(line, name_len), value, value_len))
			return -1;
	}
	return 0;
}

static int model_file(struct model *m, const char *path)
{
	struct stat st;
	static char unreadable[128];
	if (stat(path, &st) && errno == ENOENT)
		return m->error = "options file not found", -1;
	if (errno = 0, stat(path, &st)) {
		/* The errno in parentheses, as policy.c names it. */
		snprintf(unreadable, sizeof(unreadable), "cannot read options file (%s)", strerror(errno));
		return m->error = unreadable, -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_OPTIONS_FILE)
		return m->error = "options file is not a regular file under 64 MiB", -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("the model cannot open", path);
	char *text = malloc((size_t)st.st_size + 1);
	ssize_t n = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size)
		die("the model cannot read", path);
	int rc = model_file_text(m, text, (size_t)n);
	free(text);
	return rc;
}

/* The command line: options until "--" (dropped) or an argument starting with neither
 * "-" nor "@"; "--name value" takes the next argument whatever it is. Returns the command
 * index, or -1 with m->error set. */
static int model_parse(struct model *m, int argc, char *const argv[])
{
	int i = 0;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--"))
			return i + 1;
		if (arg[0] == '@') {
			if (model_file(m, arg + 1))
				return -1;
			continue;
		}
		if (arg[0] != '-')
			break;
		if (arg[1] != '-')
			return m->error = "unknown option (see --help)", -1;
		const char *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct model_option *o = model_find(arg, name_len);
		const char *value = eq ? eq + 1 : NULL;
		if (o && takes_value(o->kind) && !value && i + 1 < argc)
			value = argv[++i];
		if (model_apply(m, o, value, value ? strlen(value) : 0))
			return -1;
	}
	return i;
}

/* ---- Checks on the parser's own output. ---- */

static void check_error(const struct nono_error *err, const char *expected)
{
	size_t len = strnlen(err->text, sizeof(err->text));
	if (len == 0 || len == sizeof(err->text))
		die("error text empty or unterminated", NULL);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)err->text[i] < 0x20 || err->text[i] == 0x7f)
			die("error text is not one line of printable text", err->text);
	size_t reason = strlen(expected);
	if (strncmp(err->text, expected, reason) || strncmp(err->text + reason, ": ", 2))
		die("error reason differs from the model's", err->text);
}

static void check_policy(const struct nono_policy *p, int argc, char *const argv[], int command)
{
	if (command < 0 || command > argc)
		die("command index out of range", NULL);
	if (command < argc && (argv[command][0] == '-' || argv[command][0] == '@') &&
	    (command == 0 || strcmp(argv[command - 1], "--")))
		die("parsing stopped at an option", argv[command]);
	if ((p->path_count == 0) != (p->paths == NULL) ||
	    (p->connect_count == 0) != (p->connect_ports == NULL) ||
	    (p->bind_count == 0) != (p->bind_ports == NULL))
		die("counts and arrays disagree", NULL);
	for (size_t i = 0; i < p->path_count; i++) {
		unsigned a = p->paths[i].access;
		if (!p->paths[i].path || !p->paths[i].path[0])
			die("empty path rule", NULL);
		if (a == 0 || (a & ~(unsigned)(NONO_READ | NONO_WRITE | NONO_EXECUTE | NONO_SYMLINK | NONO_SOCKET)))
			die("invalid access", p->paths[i].path);
	}
	for (size_t i = 0; i < p->connect_count; i++)
		if (p->connect_ports[i] == 0)
			die("connect port 0", NULL);
	if ((unsigned)p->net_all > 1 || (unsigned)p->allow_unix > 1 ||
	    (unsigned)p->best_effort > 1 || (unsigned)p->probe > 1 || (unsigned)p->help > 1)
		die("a flag is neither 0 nor 1", NULL);
}

static void free_args(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t text_size = size - 1;
	const char *ff = memchr(text, '\f', text_size);
	size_t line_size = ff ? (size_t)(ff - text) : text_size;

	/* The options file, for "@F". */
	const char *file = ff ? ff + 1 : "";
	size_t file_size = ff ? text_size - line_size - 1 : 0;
	if (ftruncate(memfd, 0) || (file_size && pwrite(memfd, file, file_size, 0) != (ssize_t)file_size))
		die("cannot write the memfd", strerror(errno));

	/* The command line: each argument its own allocation, so ASan sees any over-read. */
	int argc = 0;
	char **argv = malloc((line_size + 1) * sizeof(char *));
	if (!argv)
		return -1;
	for (size_t at = 0; at < line_size;) {
		const char *end = memchr(text + at, data[0], line_size - at);
		size_t len = end ? (size_t)(end - (text + at)) : line_size - at;
		char *arg = strndup(text + at, len); /* stops at a NUL, as a C argv would */
		if (arg && arg[0] == '@' && arg[1]) {
			char *mapped = NULL;
			if (!strcmp(arg, "@F"))
				mapped = strdup(memfd_arg);
			else if (arg[1] != '/' && !strstr(arg, "..") &&
				 (mapped = malloc(strlen(private_dir) + strlen(arg) + 2)))
				sprintf(mapped, "@%s/%s", private_dir, arg + 1);
			free(arg);
			arg = mapped;
		}
		if (!arg) {
			free_args(argc, argv);
			return -1; /* out of memory, or an @FILE outside the private directory */
		}
		argv[argc++] = arg;
		at += len + 1;
	}

	struct nono_policy policy = { 0 };
	struct nono_error err = { { 0 } };
	int command = -1;
	int rc = nono_policy_parse(&policy, argc, argv, &command, &err);
	if (rc != 0 && rc != -1)
		die("nono_policy_parse returned neither 0 nor -1", NULL);

	struct model m = { .p = &policy, .compare = rc == 0, .ruleset_fd = -1 };
	int expected_command = model_parse(&m, argc, argv);
	if (rc == 0 && m.error)
		die("the parser accepted what the model rejects", m.error);
	if (rc != 0 && !m.error)
		die("the parser rejected what the model accepts", err.text);
	if (rc == 0) {
		check_policy(&policy, argc, argv, command);
		if (command != expected_command)
			die("command index differs from the model's", NULL);
		if (m.paths != policy.path_count || m.connects != policy.connect_count ||
		    m.binds != policy.bind_count)
			die("rule counts differ from the model's", NULL);
		if (m.net_all != policy.net_all || m.allow_unix != policy.allow_unix ||
		    m.best_effort != policy.best_effort || m.probe != policy.probe || m.help != policy.help ||
		    m.audit != policy.audit || m.ruleset_fd != policy.ruleset_fd ||
		    m.kill_leftovers != policy.kill_leftovers || m.null_stdin != policy.null_stdin ||
		    m.allow_udp != policy.allow_udp || m.unix_own != policy.unix_own)
			die("flags differ from the model's", NULL);
		if (m.unix_paths != policy.unix_path_count || m.unix_binds != policy.unix_bind_count || m.tcp_addrs != policy.tcp_addr_count)
			die("mediated-connection counts differ from the model's", NULL);
		if (m.has_report ? !policy.report || !same(policy.report, m.report, m.report_len) : policy.report != NULL)
			die("--report differs from the model's", policy.report);
		if (m.has_errors ? !policy.errors || !same(policy.errors, m.errors, m.errors_len) : policy.errors != NULL)
			die("--errors differs from the model's", policy.errors);
	} else {
		check_error(&err, m.error);
	}

	nono_policy_free(&policy);
	if (policy.paths || policy.path_count || policy.connect_ports || policy.bind_ports || policy.unix_paths || policy.unix_binds
	    || policy.tcp_addrs)
		die("nono_policy_free left the policy non-empty", NULL);
	free_args(argc, argv);
	if (first_free_fd() != lowest_free_fd)
		die("a file descriptor was left open", NULL);
	return 0;
}
