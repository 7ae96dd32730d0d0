/* seqtool — one binary, many sequence-model tools.  This file is the
 * dispatcher: one sorted table of commands, help (the man page when it is
 * installed), completion and version. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "config.h"

/* Sorted by name. */
const cli_command *const cli_commands[] = {
    &dinos_command, &emojify_command, &jazz_command, &nmt_command, &trigger_command, &w2v_command, NULL,
};

static void list_commands(FILE *out)
{
    fprintf(out,
            "usage: seqtool COMMAND [ACTION] [OPTIONS] [ARGS]\n"
            "       seqtool help COMMAND | seqtool COMMAND --help\n"
            "       seqtool completion bash\n"
            "       seqtool --version\n\n"
            "Sequence models as Unix tools.  Commands:\n");
    for (const cli_command *const *c = cli_commands; *c; c++)
        fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
    fprintf(out, "\nSee 'man seqtool' and 'man seqtool-COMMAND' for the details.\n");
}

static const cli_command *find(const char *name)
{
    for (const cli_command *const *c = cli_commands; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

/* Whether `man -w page` finds the page (man installed, page installed). */
static int man_has(const char *page)
{
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execlp("man", "man", "-w", page, (char *)NULL);
        _exit(127);
    }
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* `seqtool help CMD`: the man page when man and the page are installed,
 * as `git help` does; the command's help otherwise. */
static int help(const char *name)
{
    const cli_command *c = find(name);
    if (!c)
        die_usage("no command '%s'", name);
    char page[64];
    snprintf(page, sizeof page, "seqtool-%s", c->name);
    if (man_has(page)) {
        fflush(stdout);
        execlp("man", "man", page, (char *)NULL);
    }
    char *help_argv[] = {(char *)c->name, "--help", NULL};
    return cli_run(c, 2, help_argv);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        list_commands(stdout);
        return cli_finish(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("seqtool %s\n", SEQTOOL_VERSION);
        return cli_finish(0);
    }
    if (strcmp(argv[1], "help") == 0) {
        if (argc > 3)
            die_usage("help takes one command");
        return help(argv[2]);
    }
    if (strcmp(argv[1], "completion") == 0)
        return cli_completion(argc - 1, argv + 1);
    const cli_command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "seqtool: '%s' is not a seqtool command\n\n", argv[1]);
        list_commands(stderr);
        return EXIT_USAGE;
    }
    return cli_run(c, argc - 1, argv + 1);
}
