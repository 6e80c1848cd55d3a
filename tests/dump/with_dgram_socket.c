/* SPDX-License-Identifier: MIT */
/*
 * with_dgram_socket PROGRAM [ARG]...: runs PROGRAM with descriptor 3 one end
 * of an AF_UNIX datagram socket pair, so that a CLI test can store a socket
 * in an XSKMAP (`--set xsks:00000000=03000000`); a shell cannot open one.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sv[2];
	if (argc < 2) {
		fprintf(stderr, "usage: with_dgram_socket PROGRAM [ARG]...\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 || dup2(sv[0], 3) < 0) {
		perror("with_dgram_socket");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
