/* --kill-leftovers: nothing a command starts outlives it. */
#ifndef NONO_LEFTOVERS_H
#define NONO_LEFTOVERS_H

/* Before the sandbox applies: makes this process a child subreaper (every orphan of the
 * command's tree is reparented here, setsid or not) and opens its list of children, which
 * Landlock may hide once applied. Returns the list's descriptor, or -1 (errno set). */
int nono_leftovers_prepare(void);

/* After the sandbox applies: runs the command in a vfork child (exec_command execs it, or says
 * why not and returns the exit status), waits for it, kills every process still left of its
 * tree, and exits with the command's status (re-raising a deadly signal). Returns only if it
 * cannot vfork (errno set). */
void nono_leftovers_run(int children_fd, char *const command[], int (*exec_command)(char *const[]));

#endif
