/* SPDX-License-Identifier: MIT */
/* Network namespaces and veth pairs for the live hook tests. */
#define _GNU_SOURCE /* setns, unshare */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlab.h"

extern char **environ;

static const char *const host_side[NETLAB_PEERS] = {"lab-in", "lab-out"};
static const char *const peer_side[NETLAB_PEERS] = {"peer-in", "peer-out"};

/* IPv6 would send router solicitations and the like on the veths: traffic
 * the tests did not make. */
static void disable_ipv6(void)
{
	static const char *const knobs[] = {"/proc/sys/net/ipv6/conf/all/disable_ipv6",
					    "/proc/sys/net/ipv6/conf/default/disable_ipv6"};
	for (size_t i = 0; i < 2; i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
	}
}

/* A child in a new network namespace, until hold_fd's other end closes. */
static pid_t start_holder(int hold_fd, int keep_fd)
{
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c = 0;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(keep_fd);
		if (unshare(CLONE_NEWNET) == 0) {
			disable_ipv6();
			c = 1;
		}
		(void)!write(ready[1], &c, 1);
		while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	char ok = 0;
	close(ready[1]);
	if (pid > 0 && (read(ready[0], &ok, 1) != 1 || !ok)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

int netlab_ip(const char *const *args)
{
	char *argv[16] = {"ip"};
	size_t n = 1;
	for (; args[n - 1] && n < 15; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	pid_t pid;
	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, environ) != 0)
		return -1;
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int netlab_link_up(const char *ifname, int mtu)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct ifreq ifr = {0};
	int err = 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (mtu) {
		ifr.ifr_mtu = mtu;
		if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
			err = -errno;
	}
	if (!err && ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

struct peer_call {
	int ns;
	int (*fn)(void *arg);
	void *arg;
	int result;
};

static void *peer_thread(void *arg)
{
	struct peer_call *call = arg;
	call->result = setns(call->ns, CLONE_NEWNET) < 0 ? -errno : call->fn(call->arg);
	return NULL;
}

int netlab_in_peer(const struct netlab *lab, int peer, int (*fn)(void *arg), void *arg)
{
	struct peer_call call = {.ns = lab->ns[peer], .fn = fn, .arg = arg};
	pthread_t thread;
	int err = pthread_create(&thread, NULL, peer_thread, &call);
	if (err)
		return -err;
	pthread_join(thread, NULL);
	return call.result;
}

static int peer_link_up(void *name)
{
	return netlab_link_up(name, 0);
}

const char *netlab_create(struct netlab *lab)
{
	static char why[160];
	int hold[2];
	*lab = (struct netlab){.hold_fd = -1, .ns = {-1, -1}};
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(why, sizeof(why), "cannot make a network namespace (%s); needs root",
			 strerror(errno));
		return why;
	}
	disable_ipv6();
	if (pipe2(hold, O_CLOEXEC) < 0)
		return "pipe failed";
	lab->hold_fd = hold[1];
	for (int i = 0; i < NETLAB_PEERS; i++) {
		lab->holder[i] = start_holder(hold[0], hold[1]);
		if (lab->holder[i] < 0) {
			close(hold[0]);
			netlab_destroy(lab);
			return "cannot start a process in a network namespace of its own";
		}
		char path[64], pid[16];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)lab->holder[i]);
		snprintf(pid, sizeof(pid), "%d", (int)lab->holder[i]);
		lab->ns[i] = open(path, O_RDONLY | O_CLOEXEC);
		const char *const add[] = {"link", "add", "name", host_side[i], "type", "veth", "peer",
					   "name", peer_side[i], "netns", pid, NULL};
		int status = lab->ns[i] < 0 ? -1 : netlab_ip(add);
		if (status != 0) {
			close(hold[0]);
			netlab_destroy(lab);
			snprintf(why, sizeof(why),
				 "cannot make veth pairs (ip link add ... type veth: %s)",
				 status < 0 ? "ip not found" : "failed");
			return why;
		}
		if (netlab_link_up(host_side[i], 0) < 0 ||
		    netlab_in_peer(lab, i, peer_link_up, (void *)peer_side[i]) < 0) {
			close(hold[0]);
			netlab_destroy(lab);
			return "cannot set the veth pairs up";
		}
	}
	close(hold[0]);
	return NULL;
}

void netlab_destroy(struct netlab *lab)
{
	if (lab->hold_fd >= 0)
		close(lab->hold_fd); /* the holders read EOF and exit */
	for (int i = 0; i < NETLAB_PEERS; i++) {
		if (lab->ns[i] >= 0)
			close(lab->ns[i]);
		if (lab->holder[i] > 0)
			waitpid(lab->holder[i], NULL, 0);
	}
	*lab = (struct netlab){.hold_fd = -1, .ns = {-1, -1}};
}
