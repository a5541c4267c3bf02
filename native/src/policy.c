#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int add_path(struct nono_policy *p, const char *option, const char *path,
		    unsigned access, struct nono_error *err)
{
	if (path[0] == '\0')
		return nono_fail(err, "empty path", option);
	if (grow((void **)&p->paths, p->path_count, sizeof(*p->paths), err))
		return -1;
	char *copy = strdup(path);
	if (!copy)
		return nono_fail(err, "out of memory", "policy");
	p->paths[p->path_count++] = (struct nono_path_rule){ copy, access };
	return 0;
}

static int add_port(uint16_t **ports, size_t *count, const char *option,
		    const char *value, struct nono_error *err)
{
	unsigned long port = 0;
	const char *c = value;
	for (; *c >= '0' && *c <= '9' && port <= 65535; c++)
		port = port * 10 + (unsigned long)(*c - '0');
	if (c == value || *c != '\0' || port == 0 || port > 65535)
		return fail2(err, "invalid port (expected 1-65535)", option, value);
	if (grow((void **)ports, *count, sizeof(**ports), err))
		return -1;
	(*ports)[(*count)++] = (uint16_t)port;
	return 0;
}

enum takes { FLAG, VALUE };

struct option_spec {
	const char *name;
	enum takes takes;
};

static const struct option_spec options[] = {
	{ "--ro", VALUE },	    { "--rox", VALUE },	     { "--rw", VALUE },
	{ "--rwx", VALUE },	    { "--wo", VALUE },	     { "--xo", VALUE },
	{ "--wx", VALUE },	    { "--symlinks", VALUE },	    { "--connect-tcp", VALUE }, { "--bind-tcp", VALUE },
	{ "--net", VALUE },	    { "--allow-unix", FLAG },   { "--best-effort", FLAG },
	{ "--ruleset-fd", VALUE },  { "--probe", FLAG },	     { "--help", FLAG },
	{ "--report", VALUE },	    { "--audit", FLAG },	     { "--kill-leftovers", FLAG },
	{ "--errors", VALUE },	    { "--null-stdin", FLAG },
};

static const struct option_spec *find_option(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (strlen(options[i].name) == len && memcmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static int apply_option(struct nono_policy *p, const char *name, const char *value,
			struct nono_error *err)
{
	if (!strcmp(name, "--ro"))
		return add_path(p, name, value, NONO_READ, err);
	if (!strcmp(name, "--rox"))
		return add_path(p, name, value, NONO_READ | NONO_EXECUTE, err);
	if (!strcmp(name, "--rw"))
		return add_path(p, name, value, NONO_READ | NONO_WRITE, err);
	if (!strcmp(name, "--rwx"))
		return add_path(p, name, value, NONO_READ | NONO_WRITE | NONO_EXECUTE, err);
	if (!strcmp(name, "--wo"))
		return add_path(p, name, value, NONO_WRITE, err);
	if (!strcmp(name, "--xo"))
		return add_path(p, name, value, NONO_EXECUTE, err);
	if (!strcmp(name, "--wx"))
		return add_path(p, name, value, NONO_WRITE | NONO_EXECUTE, err);
	if (!strcmp(name, "--symlinks"))
		return add_path(p, name, value, NONO_SYMLINK, err);
	if (!strcmp(name, "--connect-tcp"))
		return add_port(&p->connect_ports, &p->connect_count, name, value, err);
	if (!strcmp(name, "--bind-tcp"))
		return add_port(&p->bind_ports, &p->bind_count, name, value, err);
	if (!strcmp(name, "--net")) {
		if (!strcmp(value, "all"))
			p->net_all = 1;
		else if (!strcmp(value, "none"))
			p->net_all = 0;
		else
			return fail2(err, "invalid network mode (expected all or none)", name, value);
		return 0;
	}
	if (!strcmp(name, "--ruleset-fd")) {
		char *end;
		long fd = strtol(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end || fd > 1 << 30)
			return fail2(err, "invalid descriptor number", name, value);
		p->ruleset_fd = (int)fd;
		return 0;
	}
	if (!strcmp(name, "--report") || !strcmp(name, "--errors")) {
		char **file = name[2] == 'r' ? &p->report : &p->errors;
		if (value[0] == '\0')
			return nono_fail(err, "empty path", name);
		free(*file);
		*file = strdup(value);
		return *file ? 0 : nono_fail(err, "out of memory", "policy");
	}
	if (!strcmp(name, "--audit"))
		p->audit = 1;
	else if (!strcmp(name, "--allow-unix"))
		p->allow_unix = 1;
	else if (!strcmp(name, "--best-effort"))
		p->best_effort = 1;
	else if (!strcmp(name, "--kill-leftovers"))
		p->kill_leftovers = 1;
	else if (!strcmp(name, "--null-stdin"))
		p->null_stdin = 1;
	else if (!strcmp(name, "--probe"))
		p->probe = 1;
	else if (!strcmp(name, "--help"))
		p->help = 1;
	return 0;
}

static const struct option_spec *check_option(const char *name, const char *value,
					      struct nono_error *err)
{
	const struct option_spec *spec = find_option(name, strlen(name));
	if (!spec)
		nono_fail(err, "unknown option (see --help)", name);
	else if (spec->takes == FLAG && value)
		nono_fail(err, "option takes no value", name);
	else if (spec->takes == VALUE && !value)
		nono_fail(err, "missing value", name);
	else
		return spec;
	return NULL;
}

static int parse_file(struct nono_policy *p, const char *path, struct nono_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nono_fail(err, errno == ENOENT ? "options file not found" : "cannot read options file", path);
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
		free(text);
		return nono_fail(err, "cannot read options file", path);
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
		rc = check_option(line, value, err) ? apply_option(p, line, value, err) : -1;
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
		const struct option_spec *spec = find_option(name, name_len);
		if (spec && spec->takes == VALUE && !value && i + 1 < argc)
			value = argv[++i];
		if (!check_option(name, value, err) || apply_option(p, name, value, err))
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
	free(p->bind_ports);
	free(p->report);
	free(p->errors);
	*p = (struct nono_policy){ 0 };
}
