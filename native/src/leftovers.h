/* --kill-leftovers: nothing a command starts outlives it. */
#ifndef NONO_LEFTOVERS_H
#define NONO_LEFTOVERS_H

/* Before the sandbox applies: makes this process a child subreaper (every orphan of the
 * command's tree is reparented here, setsid or not) and opens its list of children, which
 * Landlock may hide once applied. Returns the list's descriptor, or -1 (errno set). */
int nono_leftovers_prepare(void);

/* After the sandbox applies: forks. Returns 0 in the child, which goes on to exec the command.
 * The parent waits for it, kills every process still left of its tree, and exits with the
 * command's status (re-raising a deadly signal). Returns -1 (errno set) if it cannot fork. */
int nono_leftovers_fork(int children_fd);

#endif
