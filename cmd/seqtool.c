/* seqtool — one binary, many sequence-model tools.  This file is the
 * dispatcher: one sorted table of commands, help and version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "commands.h"


typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

/* Sorted by name. */
static const command commands[] = {
    {"dinos", cmd_dinos, "character-level language model of names: train, sample, score"},
    {"emojify", cmd_emojify, "sentence to emoji with word vectors (mean or two LSTMs): train, predict, eval"},
    {"nmt", cmd_nmt, "dates as people write them to ISO dates, with attention: dates, train, eval, translate, attention"},
    {"w2v", cmd_w2v, "word vectors: similarity, nearest, analogy, bias, debias, convert, info, train"},
};

static const int ncommands = sizeof commands / sizeof commands[0];

static void list_commands(FILE *out)
{
    fprintf(out,
            "usage: seqtool COMMAND [ACTION] [OPTIONS] [ARGS]\n"
            "       seqtool help COMMAND | seqtool COMMAND --help\n"
            "       seqtool --version\n\n"
            "Sequence models as Unix tools.  Commands:\n");
    for (int i = 0; i < ncommands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSee 'man seqtool' and 'man seqtool-COMMAND' for the details.\n");
}

static const command *find(const char *name)
{
    for (int i = 0; i < ncommands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
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
        const command *c = find(argv[2]);
        if (!c)
            die_usage("no command '%s'", argv[2]);
        char *help_argv[] = {argv[2], "--help", NULL};
        return c->run(2, help_argv);
    }
    const command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "seqtool: '%s' is not a seqtool command\n\n", argv[1]);
        list_commands(stderr);
        return EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
