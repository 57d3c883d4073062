// The half of nsenter that runs before the Go runtime starts.
//
// setns(2) into a mount namespace fails in a process whose threads share
// their filesystem attributes, and the Go runtime starts threads before
// main. So this constructor, run by the dynamic loader while the process
// still has one thread, joins the target's namespaces when
// _BERTH_NSENTER=<pid> is set, then forks: joining a PID namespace only
// affects children. The child returns into the Go runtime (child_linux.go
// joins the container's cgroup through the tasks files the launcher gave,
// finishes and execs the command); the parent waits for it, passes on the
// signals sent to it, and exits as the child did. Without the variable the
// constructor costs one getenv.
//
// Before it touches the container it closes every descriptor but stdio,
// the sync socket and the cgroup tasks files the launcher gave it
// (whatever berth's caller had open, and the sealed copy of berth it was
// exec'd from), and makes itself non-dumpable: until the command is
// exec'd, which makes it dumpable again, nothing in the container may
// open its /proc/<pid>/exe, mem or fd.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// The namespaces a container has, in the order they are joined: mnt last,
// because after it /proc is the container's.
static const struct {
	const char *name;
	int flag;
} kinds[] = {
	{"ipc", CLONE_NEWIPC},
	{"uts", CLONE_NEWUTS},
	{"net", CLONE_NEWNET},
	{"pid", CLONE_NEWPID},
	{"mnt", CLONE_NEWNS},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

#ifndef __NR_close_range
#define __NR_close_range 436 // the same on every architecture
#endif

static pid_t child_pid;

// fail reports a failure to the launcher on the sync socket and exits.
static void fail(int syncfd, const char *what, int err)
{
	dprintf(syncfd, "{\"error\":\"nsenter: %s: %s\"}", what, strerror(err));
	_exit(125);
}

// parse_int parses a non-negative decimal number, or returns -1.
static long parse_int(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	return v;
}

// wants reports whether the comma-separated list has name.
static int wants(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return 0;
}

// close_all_but closes every descriptor above stderr except those from
// first to last.
static int close_all_but(int first, int last)
{
	if (first > 3 && syscall(__NR_close_range, 3U, (unsigned)first - 1, 0U) < 0)
		return -1;
	return syscall(__NR_close_range, (unsigned)last + 1, ~0U, 0U);
}

// forward passes signals sent to the parent (by kill, not by the
// terminal: those reach the child directly) on to the child.
static void forward(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (info->si_code <= 0 && child_pid > 0)
		kill(child_pid, sig);
}

static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
	SIGWINCH, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
};

// wait_and_exit waits for the child and ends the parent the same way.
static void wait_and_exit(const sigset_t *oldmask)
{
	struct sigaction sa;
	size_t i;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, oldmask, NULL);

	while (waitpid(child_pid, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(125);
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		sigset_t one;

		// Die of the same signal, without a core dump of this parent.
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(WEXITSTATUS(status));
}

__attribute__((constructor)) static void berth_nsenter(void)
{
	const char *target = getenv("_BERTH_NSENTER");
	const char *list;
	char path[64];
	int nsfds[NKINDS];
	int rootfd = -1;
	long pid, syncfd, ntasks;
	sigset_t all, oldmask;
	size_t i;

	if (target == NULL)
		return;
	syncfd = parse_int(getenv("_BERTH_NSENTER_SYNC"));
	if (syncfd < 0)
		_exit(125);
	if (syncfd <= 2)
		_exit(125);
	// The cgroup tasks files, if any, sit right below the sync socket:
	// the child keeps them for its Go half, the parent closes them.
	ntasks = 0;
	if (getenv("_BERTH_NSENTER_TASKS") != NULL)
		ntasks = parse_int(getenv("_BERTH_NSENTER_TASKS"));
	if (ntasks < 0 || ntasks > syncfd - 3)
		_exit(125);
	if (close_all_but(syncfd - ntasks, syncfd) < 0)
		fail(syncfd, "close inherited fds", errno);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(syncfd, "make non-dumpable", errno);
	pid = parse_int(target);
	if (pid <= 0)
		fail(syncfd, "bad target pid", EINVAL);
	list = getenv("_BERTH_NSENTER_NS");
	if (list == NULL)
		list = "";

	// Open everything first: once in the container's mount namespace,
	// /proc/<pid> no longer names the target.
	for (i = 0; i < NKINDS; i++) {
		nsfds[i] = -1;
		if (!wants(list, kinds[i].name))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, kinds[i].name);
		nsfds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfds[i] < 0)
			fail(syncfd, path, errno);
	}
	if (wants(list, "mnt")) {
		snprintf(path, sizeof(path), "/proc/%ld/root", pid);
		rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			fail(syncfd, path, errno);
	}
	for (i = 0; i < NKINDS; i++) {
		if (nsfds[i] < 0)
			continue;
		if (setns(nsfds[i], kinds[i].flag) < 0) {
			snprintf(path, sizeof(path), "setns %s", kinds[i].name);
			fail(syncfd, path, errno);
		}
		close(nsfds[i]);
	}

	// Block signals until the parent's handlers are in place.
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &oldmask);
	child_pid = fork();
	if (child_pid < 0)
		fail(syncfd, "fork", errno);
	if (child_pid == 0) {
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		// The target's root, as a chroot'ed or pivot_root'ed container
		// sees it; the Go half changes to the working directory.
		if (rootfd >= 0) {
			if (fchdir(rootfd) < 0)
				fail(syncfd, "chdir to container root", errno);
			if (chroot(".") < 0)
				fail(syncfd, "chroot to container root", errno);
			close(rootfd);
		}
		return;
	}
	if (rootfd >= 0)
		close(rootfd);
	for (i = 0; i < (size_t)ntasks; i++)
		close(syncfd - ntasks + i);
	dprintf(syncfd, "{\"pid\":%d}", (int)child_pid);
	close(syncfd);
	wait_and_exit(&oldmask);
}
