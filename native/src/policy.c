#include "policy.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define MAX_OPTIONS_FILE (64 * 1024 * 1024)

/* The text is printed as one line: a control character in the subject (a newline in an
 * argument, a CR in an options file line) becomes '?'. */
static int one_line(struct nono_error *err)
{
	for (char *c = err->text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

int nono_fail(struct nono_error *err, const char *what, const char *subject)
{
	snprintf(err->text, sizeof(err->text), "%s: %s", what, subject);
	return one_line(err);
}

int nono_fail_errno(struct nono_error *err, const char *what, int error, const char *subject)
{
	snprintf(err->text, sizeof(err->text), "%s (%s): %s", what, strerror(error), subject);
	return one_line(err);
}

static int fail2(struct nono_error *err, const char *what, const char *option,
		 const char *value)
{
	snprintf(err->text, sizeof(err->text), "%s: %s %s", what, option, value);
	return one_line(err);
}

static int grow(void **items, size_t count, size_t size, struct nono_error *err)
{
	/* Capacity doubles at powers of two, so no separate capacity field. */
	if (count & (count - 1) || (count != 0 && count < 8))
		return 0;
	size_t capacity = count < 8 ? 8 : count * 2;
	void *bigger = realloc(*items, capacity * size);
	if (!bigger)
		return nono_fail(err, "out of memory", "policy");
	*items = bigger;
	return 0;
}

/* One function per kind of option, called through the table below with the option's entry. */
typedef int apply_fn(struct nono_policy *p, const struct nono_option *o, const char *value,
		     struct nono_error *err);

static int add_path(struct nono_policy *p, const struct nono_option *o, const char *path,
		    struct nono_error *err)
{
	if (path[0] == '\0')
		return nono_fail(err, "empty path", o->name);
	if (grow((void **)&p->paths, p->path_count, sizeof(*p->paths), err))
		return -1;
	char *copy = strdup(path);
	if (!copy)
		return nono_fail(err, "out of memory", "policy");
	p->paths[p->path_count++] = (struct nono_path_rule){ copy, o->access };
	return 0;
}

static int add_port_from(uint16_t **ports, size_t *count, const char *option,
			 const char *value, unsigned long lowest, struct nono_error *err)
{
	unsigned long port = 0;
	const char *c = value;
	for (; *c >= '0' && *c <= '9' && port <= 65535; c++)
		port = port * 10 + (unsigned long)(*c - '0');
	if (c == value || *c != '\0' || port < lowest || port > 65535)
		return fail2(err, lowest ? "invalid port (expected 1-65535)" : "invalid port (expected 0-65535)", option, value);
	if (grow((void **)ports, *count, sizeof(**ports), err))
		return -1;
	(*ports)[(*count)++] = (uint16_t)port;
	return 0;
}

static int add_port(uint16_t **ports, size_t *count, const char *option,
		    const char *value, struct nono_error *err)
{
	return add_port_from(ports, count, option, value, 1, err);
}

static int add_connect(struct nono_policy *p, const struct nono_option *o, const char *value,
		       struct nono_error *err)
{
	return add_port(&p->connect_ports, &p->connect_count, o->name, value, err);
}

static int add_bind(struct nono_policy *p, const struct nono_option *o, const char *value,
		    struct nono_error *err)
{
	/* 0: an ephemeral port, as bind(2) picks it (Landlock checks port 0 for that). */
	return add_port_from(&p->bind_ports, &p->bind_count, o->name, value, 0, err);
}

static int set_net(struct nono_policy *p, const struct nono_option *o, const char *value,
		   struct nono_error *err)
{
	if (!strcmp(value, "all"))
		p->net_all = 1;
	else if (!strcmp(value, "none"))
		p->net_all = 0;
	else
		return fail2(err, "invalid network mode (expected all or none)", o->name, value);
	return 0;
}

/* Appends a copy of value to a --unix-own path list; mediated sockets need the supervisor. */
static int add_unix_own_path(struct nono_policy *p, char ***list, size_t *count, const char *value,
			     struct nono_error *err)
{
	if (grow((void **)list, *count, sizeof(**list), err))
		return -1;
	char *copy = strdup(value);
	if (!copy)
		return nono_fail(err, "out of memory", "policy");
	(*list)[(*count)++] = copy;
	p->unix_own = 1;
	return 0;
}

/* --unix-connect PATH: an absolute path, kept as given (the supervisor compares real paths). */
static int add_unix_path(struct nono_policy *p, const struct nono_option *o, const char *value,
			 struct nono_error *err)
{
	if (value[0] != '/')
		return fail2(err, "not an absolute path", o->name, value);
	return add_unix_own_path(p, &p->unix_paths, &p->unix_path_count, value, err);
}

/* --unix-bind PATH: an absolute path, "%p" (the binding process's pid) or "%g" (a random
 * GUID's 32 hexadecimal digits) only at its end. */
static int add_unix_bind(struct nono_policy *p, const struct nono_option *o, const char *value,
			 struct nono_error *err)
{
	const char *percent = strchr(value, '%');
	if (value[0] != '/' || (percent && (strcmp(percent, "%p") != 0 && strcmp(percent, "%g") != 0)))
		return fail2(err, "not an absolute path (\"%p\" or \"%g\" only at its end)", o->name, value);
	return add_unix_own_path(p, &p->unix_binds, &p->unix_bind_count, value, err);
}

/* --connect-tcp-addr ADDR:PORT, [ADDR6]:PORT: numeric addresses only, never a name. */
static int add_tcp_addr(struct nono_policy *p, const struct nono_option *o, const char *value,
			struct nono_error *err)
{
	char host[64];
	const char *colon = strrchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : 0;
	if (!colon || len == 0 || len >= sizeof(host))
		return fail2(err, "invalid address (expected ADDR:PORT or [ADDR6]:PORT)", o->name, value);
	memcpy(host, value, len);
	host[len] = '\0';
	struct nono_tcp_addr a = { 0 };
	if (host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		a.family = AF_INET6;
		if (inet_pton(AF_INET6, host + 1, a.addr) != 1)
			return fail2(err, "invalid IPv6 address", o->name, value);
	} else {
		a.family = AF_INET;
		if (inet_pton(AF_INET, host, a.addr) != 1)
			return fail2(err, "invalid IPv4 address (numeric only)", o->name, value);
	}
	uint16_t *port = NULL;
	size_t count = 0;
	if (add_port(&port, &count, o->name, colon + 1, err))
		return -1;
	a.port = port[0];
	free(port);
	if (grow((void **)&p->tcp_addrs, p->tcp_addr_count, sizeof(*p->tcp_addrs), err))
		return -1;
	p->tcp_addrs[p->tcp_addr_count++] = a;
	p->unix_own = 1;
	return 0;
}

static int set_ruleset_fd(struct nono_policy *p, const struct nono_option *o, const char *value,
			  struct nono_error *err)
{
	char *end;
	long fd = strtol(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end || fd > 1 << 30)
		return fail2(err, "invalid descriptor number", o->name, value);
	p->ruleset_fd = (int)fd;
	return 0;
}

/* --report and --errors: a file path kept for the caller. */
static int set_file(struct nono_policy *p, const struct nono_option *o, const char *value,
		    struct nono_error *err)
{
	char **file = (char **)((char *)p + o->flag);

	if (value[0] == '\0')
		return nono_fail(err, "empty path", o->name);
	free(*file);
	*file = strdup(value);
	return *file ? 0 : nono_fail(err, "out of memory", "policy");
}

static int set_flag(struct nono_policy *p, const struct nono_option *o, const char *value,
		    struct nono_error *err)
{
	(void)value;
	(void)err;
	*(int *)((char *)p + o->flag) = 1;
	return 0;
}

#define PATH_OPTION(option, rights, text) { option, "PATH", text, add_path, rights, 0 }
#define FLAG(option, field, text) { option, NULL, text, set_flag, 0, offsetof(struct nono_policy, field) }

/* Every option nono-exec and libnono take: its name, the value it takes (NULL: a flag), its
 * line in --help, and what applies it. docs/nono-exec.md describes each; the Nono library
 * mirrors the table (src/Nono/NonoExecOptions.cs), checked against --help by its tests. */
const struct nono_option nono_options[] = {
	PATH_OPTION("--ro", NONO_READ, "read PATH (a directory: everything beneath it)"),
	PATH_OPTION("--rox", NONO_READ | NONO_EXECUTE, "read and execute"),
	PATH_OPTION("--rw", NONO_READ | NONO_WRITE, "read and write: create, delete, rename, truncate"),
	PATH_OPTION("--rwx", NONO_READ | NONO_WRITE | NONO_EXECUTE, "read, write and execute"),
	PATH_OPTION("--wo", NONO_WRITE, "write only"),
	PATH_OPTION("--xo", NONO_EXECUTE, "execute only"),
	PATH_OPTION("--wx", NONO_WRITE | NONO_EXECUTE, "write and execute"),
	PATH_OPTION("--symlinks", NONO_SYMLINK, "create symlinks, FIFOs and sockets beneath PATH (no write grant does)"),
	PATH_OPTION("--sockets", NONO_SOCKET, "create (bind) Unix sockets beneath PATH; no other file"),
	{ "--connect-tcp", "PORT", "allow TCP connections to PORT (repeatable)", add_connect, 0, 0 },
	{ "--bind-tcp", "PORT", "allow binding TCP PORT (repeatable; 0: an ephemeral port)", add_bind, 0, 0 },
	{ "--net", "all|none", "lift network restrictions, or keep them (default: none)", set_net, 0, 0 },
	FLAG("--allow-udp", allow_udp, "allow UDP sockets (name resolution); they reach any address"),
	FLAG("--allow-unix", allow_unix, "allow Unix sockets (default: refused; stream socketpairs always work)"),
	FLAG("--unix-own", unix_own, "Unix stream sockets, connected only among the command's own processes (a supervisor makes each connect)"),
	{ "--unix-connect", "PATH", "with --unix-own: also connect to the socket PATH, or any beneath it", add_unix_path, 0, 0 },
	{ "--unix-bind", "PATH", "with --unix-own: the supervisor binds the socket PATH for the command (%p at its end: the binding process's pid; %g: a random GUID's 32 hexadecimal digits)", add_unix_bind, 0, 0 },
	{ "--connect-tcp-addr", "ADDR:PORT", "with --unix-own: TCP connections to this address and port only", add_tcp_addr, 0, 0 },
	FLAG("--best-effort", best_effort, "run even if the kernel has no Landlock (with a warning)"),
	FLAG("--kill-leftovers", kill_leftovers, "stay as the command's parent, out of its reach; kill what it leaves running"),
	{ "--ruleset-fd", "N", "use the prepared Landlock ruleset on inherited descriptor N", set_ruleset_fd, 0, 0 },
	{ "--report", "FILE", "append each access the sandbox denies to FILE (see the docs)", set_file, 0, offsetof(struct nono_policy, report) },
	FLAG("--audit", audit, "enforce nothing of the policy; report what it would deny"),
	{ "--errors", "FILE", "write nono-exec's own errors to FILE instead of standard error", set_file, 0, offsetof(struct nono_policy, errors) },
	FLAG("--null-stdin", null_stdin, "give the command /dev/null as standard input"),
	FLAG("--probe", probe, "print what this kernel enforces as JSON and exit"),
	FLAG("--help", help, "print this help and exit"),
};

const size_t nono_option_count = sizeof(nono_options) / sizeof(nono_options[0]);

static const struct nono_option *find_option(const char *name, size_t len)
{
	for (size_t i = 0; i < nono_option_count; i++)
		if (strlen(nono_options[i].name) == len && memcmp(nono_options[i].name, name, len) == 0)
			return &nono_options[i];
	return NULL;
}

void nono_policy_help(FILE *out)
{
	for (size_t i = 0; i < nono_option_count; i++) {
		const struct nono_option *o = &nono_options[i];
		char left[32];
		snprintf(left, sizeof(left), "%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
		fprintf(out, "  %-28s %s\n", left, o->usage);
	}
}

static const struct nono_option *check_option(const char *name, const char *value,
					      struct nono_error *err)
{
	const struct nono_option *o = find_option(name, strlen(name));
	if (!o)
		nono_fail(err, "unknown option (see --help)", name);
	else if (!o->value && value)
		nono_fail(err, "option takes no value", name);
	else if (o->value && !value)
		nono_fail(err, "missing value", name);
	else
		return o;
	return NULL;
}

static int parse_file(struct nono_policy *p, const char *path, struct nono_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? nono_fail(err, "options file not found", path)
			: nono_fail_errno(err, "cannot read options file", errno, path);
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_OPTIONS_FILE) {
		close(fd);
		return nono_fail(err, "options file is not a regular file under 64 MiB", path);
	}
	char *text = malloc((size_t)st.st_size + 1);
	size_t size = 0;
	ssize_t n = 1;
	while (text && size < (size_t)st.st_size &&
	       (n = read(fd, text + size, (size_t)st.st_size - size)) > 0)
		size += (size_t)n;
	close(fd);
	if (!text || n < 0) {
		int error = text ? errno : ENOMEM;
		free(text);
		return nono_fail_errno(err, "cannot read options file", error, path);
	}
	text[size] = '\0';
	if (strlen(text) != size) {
		free(text);
		return nono_fail(err, "options file contains a NUL byte", path);
	}

	int rc = 0;
	for (char *line = text, *next; rc == 0 && line < text + size; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "--", 2) != 0 || line[2] == '\0') {
			rc = fail2(err, "options file line is not an option", path, line);
			break;
		}
		size_t name_len = strcspn(line, " =");
		char *value = line[name_len] ? line + name_len + 1 : NULL;
		line[name_len] = '\0';
		const struct nono_option *o = check_option(line, value, err);
		rc = o ? o->apply(p, o, value, err) : -1;
	}
	free(text);
	return rc;
}

int nono_policy_parse(struct nono_policy *p, int argc, char *const argv[],
		      int *command_index, struct nono_error *err)
{
	int i = 0;
	p->ruleset_fd = -1;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (arg[0] == '@') {
			if (parse_file(p, arg + 1, err))
				return -1;
			continue;
		}
		if (arg[0] != '-')
			break;
		if (arg[1] != '-')
			return nono_fail(err, "unknown option (see --help)", arg);

		char name[32];
		size_t name_len = strcspn(arg, "=");
		if (name_len >= sizeof(name))
			return nono_fail(err, "unknown option (see --help)", arg);
		memcpy(name, arg, name_len);
		name[name_len] = '\0';
		const char *value = arg[name_len] ? arg + name_len + 1 : NULL;
		const struct nono_option *o = find_option(name, name_len);
		if (o && o->value && !value && i + 1 < argc)
			value = argv[++i];
		if (!(o = check_option(name, value, err)) || o->apply(p, o, value, err))
			return -1;
	}
	*command_index = i;
	return 0;
}

void nono_policy_free(struct nono_policy *p)
{
	for (size_t i = 0; i < p->path_count; i++)
		free(p->paths[i].path);
	free(p->paths);
	free(p->connect_ports);
	for (size_t i = 0; i < p->unix_path_count; i++)
		free(p->unix_paths[i]);
	free(p->unix_paths);
	for (size_t i = 0; i < p->unix_bind_count; i++)
		free(p->unix_binds[i]);
	free(p->unix_binds);
	free(p->tcp_addrs);
	free(p->bind_ports);
	free(p->report);
	free(p->errors);
	*p = (struct nono_policy){ 0 };
}
