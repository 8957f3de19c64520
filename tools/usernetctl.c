/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usernetctl.c - main of usernetctl, the command-line companion of
 * usernetd: finds the subcommand in a table and runs it.
 *
 * Owns only the dispatch. Each subcommand lives in its own file, parses
 * its own options (argv[0] is the subcommand's name) and returns the exit
 * status: 0 success, 1 failure, 2 bad usage. Add a subcommand by adding a
 * row to ctl_cmds[].
 */
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include "tools/attach.h"
#endif
#include "tools/ctl_api.h"

/* Exit status for bad usage, shared by every subcommand. */
#define CTL_EXIT_USAGE 2

/**
 * struct ctl_cmd - one subcommand
 * @name:	word that selects it on the command line
 * @run:	entry point, called with argv[0] set to @name
 * @summary:	one line for `usernetctl --help`
 */
struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int ctl_help(int argc, char **argv);

/* The subcommands, in the order --help lists them. */
static const struct ctl_cmd ctl_cmds[] = {
#ifdef __linux__
    {"attach", attach_main,
     "relay a new TAP device in this network namespace to usernetd"},
#endif
    {"leases", ctl_api_leases, "list DHCP leases (address, MAC)"},
    {"addresses", ctl_api_addresses,
     "list the IPv6 addresses guests hold (address, MAC)"},
    {"forward", ctl_api_forward,
     "add, remove or list port forwards: add PROTO LOCAL REMOTE | "
     "rm PROTO LOCAL | ls"},
    {"dns", ctl_api_dns,
     "add a DNS record or list zones: add ZONE NAME IP | "
     "ls"},
    {"stats", ctl_api_stats, "show the daemon's counters"},
    {"wait-port", ctl_api_wait_port,
     "wait until a guest accepts TCP on a port: IP PORT [TIMEOUT]"},
    {"capture", ctl_api_capture,
     "capture packets to a pcap file: start [--filter EXPR] [--snaplen N] "
     "[--port NAME] FILE | stop"},
    {"help", ctl_help, "show this help, or a subcommand's help"},
};

#define CTL_NCMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

/**
 * ctl_usage() - print the list of subcommands
 * @f:		stream: stdout for --help, stderr for errors
 */
static void ctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: usernetctl [-e ENDPOINT] [--json] SUBCOMMAND "
		   "[OPTION]... [ARG]...\n"
		   "       usernetctl --help | SUBCOMMAND --help\n\n"
		   "  -e, --endpoint PATH  usernetd's control API socket "
		   "(usernetd -e)\n"
		   "      --json           print the daemon's JSON answers as "
		   "they are\n\n"
		   "Subcommands:\n");
	for (i = 0; i < CTL_NCMDS; i++)
		fprintf(f, "  %-10s %s\n", ctl_cmds[i].name,
			ctl_cmds[i].summary);
	fprintf(f, "\nSee usernetctl(8).\n");
}

/**
 * ctl_find() - look a subcommand up by name
 * @name:	word from the command line
 *
 * Return: the subcommand, or NULL if there is none of that name
 */
static const struct ctl_cmd *ctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < CTL_NCMDS; i++)
		if (!strcmp(ctl_cmds[i].name, name))
			return &ctl_cmds[i];
	return NULL;
}

/**
 * ctl_help() - `usernetctl help [SUBCOMMAND]`
 * @argc:	argument count
 * @argv:	arguments, argv[0] being "help"
 *
 * Return: exit status of `SUBCOMMAND --help`, or 0 after listing the
 * subcommands, or 2 for an unknown subcommand
 */
static int ctl_help(int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	char *sub_argv[3];

	if (argc < 2 || !strcmp(argv[1], "help")) {
		ctl_usage(stdout);
		return 0;
	}
	cmd = ctl_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "usernetctl: unknown subcommand \"%s\"\n",
			argv[1]);
		return CTL_EXIT_USAGE;
	}
	sub_argv[0] = argv[1];
	sub_argv[1] = "--help";
	sub_argv[2] = NULL;
	return cmd->run(2, sub_argv);
}

/**
 * ctl_globals() - take the options given before the subcommand
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: index of the subcommand in @argv, or -1 after a usage error
 */
static int ctl_globals(int argc, char **argv)
{
	int i = 1;

	while (i < argc) {
		if (!strcmp(argv[i], "-e") || !strcmp(argv[i], "--endpoint")) {
			if (i + 1 >= argc) {
				fprintf(stderr,
					"usernetctl: %s needs a value\n",
					argv[i]);
				return -1;
			}
			ctl_api_global(argv[i + 1], 0);
			i += 2;
		} else if (!strncmp(argv[i], "--endpoint=", 11)) {
			ctl_api_global(argv[i] + 11, 0);
			i++;
		} else if (!strcmp(argv[i], "--json")) {
			ctl_api_global(NULL, 1);
			i++;
		} else {
			break;
		}
	}
	return i;
}

/**
 * main() - run the subcommand named by the first argument
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: the subcommand's exit status, 2 for bad usage
 */
int main(int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	int i = ctl_globals(argc, argv);

	if (i < 0)
		return CTL_EXIT_USAGE;
	argc -= i - 1;
	argv += i - 1;
	if (argc < 2) {
		ctl_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		ctl_usage(stdout);
		return 0;
	}
	cmd = ctl_find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"usernetctl: unknown subcommand \"%s\" "
			"(try usernetctl --help)\n",
			argv[1]);
		return CTL_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
